-- One case transition as the service stores it: lock the case, update snapshot + version,
-- append the audit row whose hash chains the previous one.
\set n random(1, 100000)
BEGIN;
SELECT id, version, audit_head FROM bench_cases WHERE n = :n FOR UPDATE;
UPDATE bench_cases
   SET version = version + 1,
       snapshot = jsonb_set(snapshot, '{context,approvedAt}', to_jsonb(now())),
       audit_head = encode(sha256((audit_head || ':' || version)::bytea), 'hex'),
       updated_at = now()
 WHERE n = :n;
INSERT INTO bench_audit (case_id, seq, event, from_state, to_state, actor_id, at, data, prev_hash, hash)
SELECT id, version, 'APPROVE', 'township_review', 'township_review', 'bench-user', now(),
       '{"opinion":"经乡镇复核，情况属实，同意上报"}'::jsonb,
       encode(sha256((n::text || ':' || (version - 1))::bytea), 'hex'), audit_head
  FROM bench_cases WHERE n = :n;
END;
