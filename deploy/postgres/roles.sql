-- Kiln's PostgreSQL least privilege (docs/security.md, "PostgreSQL"): one login role per service that keeps state,
-- owning its own schema and nothing else, so that no service can read or change another's tables. The role is named
-- <database>_<schema>, so in Kiln's database "kiln" (and each test run's database has roles of its own):
--
--   schema       role              service
--   submission   kiln_submission   build-submission (the hub)
--   qa           kiln_qa           qa
--   release      kiln_release      release
--   signing      kiln_signing      signing
--
-- Each role owns its schema, so its Flyway migrations (run at start as the same role) can create and change tables
-- there and nowhere else; no role is a superuser or may create databases or roles. Objects an older Kiln made as one
-- shared user are handed to the schema's role. The database's PUBLIC privileges (CONNECT, TEMPORARY) are revoked, so
-- only these roles and the administrator can connect.
--
-- Idempotent: run it at every start or upgrade, as a superuser connected to Kiln's database, after setting each
-- role's password in the session by its schema, as ./kiln does (and e2e-tests' KilnStack the same way over JDBC):
--   psql -d kiln -v ON_ERROR_STOP=1 -c "select set_config('kiln.password.qa', '<secret>', false)" ... -f roles.sql
DO $roles$
DECLARE
    s record;
    o record;
BEGIN
    FOR s IN SELECT current_database() || '_' || schema AS role, schema
            FROM unnest(ARRAY['submission', 'qa', 'release', 'signing']) AS schema LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = s.role) THEN
            EXECUTE format('CREATE ROLE %I', s.role);
        END IF;
        EXECUTE format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L',
                s.role, current_setting('kiln.password.' || s.schema));
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), s.role);
        EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', s.schema, s.role);
        EXECUTE format('ALTER SCHEMA %I OWNER TO %I', s.schema, s.role);
        EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', s.schema);
        -- tables (with the sequences of their columns), views and free-standing sequences made by someone else
        FOR o IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = s.schema AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = s.role)
                AND (c.relkind IN ('r', 'p', 'v', 'm', 'f')
                    OR (c.relkind = 'S' AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid
                        AND d.deptype IN ('a', 'i')))) LOOP
            EXECUTE format('ALTER %s %I.%I OWNER TO %I',
                    CASE o.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                        WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
                    s.schema, o.relname, s.role);
        END LOOP;
    END LOOP;
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
    REVOKE ALL ON SCHEMA public FROM PUBLIC;
END
$roles$;
