"""Trial Footprint: where to run a clinical trial, on real, sourced data (UI-free domain)."""
