-- Runs once, as POSTGRES_USER (projection) in database projection, when the data volume is new.
-- projection_ro is the query API's login: it can read every table projection-migrate creates,
-- now and later, and write nothing. The password is the documented dev default.
CREATE ROLE projection_ro WITH LOGIN PASSWORD 'projection_ro'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;

GRANT CONNECT ON DATABASE projection TO projection_ro;
GRANT USAGE ON SCHEMA public TO projection_ro;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO projection_ro;
-- Tables are created later by projection-migrate, connected as projection.
ALTER DEFAULT PRIVILEGES FOR ROLE projection IN SCHEMA public GRANT SELECT ON TABLES TO projection_ro;

-- Belt and braces: even a mistaken write statement runs in a read-only transaction.
ALTER ROLE projection_ro SET default_transaction_read_only = on;
