-- The transaction shape of one case transition, for `npm run bench`'s pgbench phase: the
-- ceiling PostgreSQL itself sets on this machine. 100k cases, each with a JSON snapshot and
-- an audit head; each transaction locks one case, moves it on and appends a hashed audit row.
DROP TABLE IF EXISTS bench_audit;
DROP TABLE IF EXISTS bench_cases;
CREATE TABLE bench_cases (
  n           integer PRIMARY KEY,
  id          uuid NOT NULL UNIQUE,
  version     integer NOT NULL,
  state       varchar(64) NOT NULL,
  snapshot    jsonb NOT NULL,
  audit_head  varchar(64) NOT NULL,
  updated_at  timestamptz NOT NULL
);
CREATE TABLE bench_audit (
  case_id     uuid NOT NULL,
  seq         integer NOT NULL,
  event       varchar(64) NOT NULL,
  from_state  varchar(64),
  to_state    varchar(64) NOT NULL,
  actor_id    varchar(36) NOT NULL,
  at          timestamptz NOT NULL,
  data        jsonb NOT NULL,
  prev_hash   varchar(64) NOT NULL,
  hash        varchar(64) NOT NULL,
  PRIMARY KEY (case_id, seq)
);
INSERT INTO bench_cases (n, id, version, state, snapshot, audit_head, updated_at)
SELECT g, md5(g::text)::uuid, 1, 'township_review',
       jsonb_build_object('value', 'township_review', 'context', jsonb_build_object('householdId', md5(g::text), 'members', 3, 'perCapitaNetIncome', 4000, 'riskTypes', jsonb_build_array('illness'))),
       encode(sha256(g::text::bytea), 'hex'), now()
FROM generate_series(1, 100000) AS g;
VACUUM ANALYZE bench_cases;
