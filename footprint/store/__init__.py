"""The workspace store: saved scenarios, custom indications and site lists, every save a new
version (SQLAlchemy; an embedded SQLite file by default, PostgreSQL for teams)."""
