-- `npm run bench -- --scale`: a million cases and five million audit entries, written by
-- PostgreSQL itself (INSERT … SELECT over generate_series: nothing crosses the wire, no HTTP),
-- into the bench's database after the service has migrated and seeded it.
--
-- Shape: :cases monitoring-inclusion cases over 100 counties × 10 townships × 10 villages;
-- the demo county 建安区 (411003) gets its share like any other, on the demo villages, so its
-- users' lists read about 1% of the data. 70% of cases are closed (included), the rest open in
-- the procedure's states, a tenth of those past their deadline. Five audit entries per case
-- (synthetic hashes: chains of these rows do not verify), a monitoring object per included case.
\set ON_ERROR_STOP 1
BEGIN;
CREATE TEMP TABLE scale_villages AS
SELECT row_number() OVER () - 1 AS k, code FROM (
  SELECT code FROM (VALUES ('411003100201'), ('411003100202'), ('411003101201'), ('411003101202'), ('411003102201')) v(code)
  UNION ALL
  SELECT '4190' || lpad(c::text, 2, '0') || lpad(t::text, 3, '0') || lpad((200 + v)::text, 3, '0')
  FROM generate_series(0, 98) c, generate_series(100, 109) t, generate_series(1, 10) v
  LIMIT 1000
) x;

INSERT INTO cases (id, procedure, "machineId", "machineVersion", version, state, snapshot, "areaCode", "subjectType", "subjectId",
                   "batchId", "policyVersionIds", "policyVersion", "auditHead", "createdById", "createdAt", "updatedAt", "closedAt",
                   "deadlineAt", "noticeStartsAt", "noticeEndsAt")
SELECT md5('case' || g)::uuid::text, 'monitoring-inclusion', 'monitoringInclusion', 1, 5,
       st.state,
       '{"value":"' || st.state || '","context":{"householdId":"' || md5('hh' || g)::uuid::text || '","channel":"cadre_visit","urgent":false,"timers":[]}}',
       v.code, 'household', md5('hh' || g)::uuid::text, NULL, '[]', '000000000000#1', md5('head' || g) || md5('h2' || g),
       'scale-user', now() - ((g % 700) || ' days')::interval, now() - ((g % 600) || ' hours')::interval,
       CASE WHEN st.state = 'included' THEN now() - ((g % 500) || ' hours')::interval END,
       now() - ((g % 700) || ' days')::interval + interval '15 days' + CASE WHEN st.state <> 'included' AND (g / 10000) % 10 <> 0 THEN ((700 - g % 700) || ' days')::interval ELSE interval '0' END,
       NULL, NULL
FROM generate_series(1, :cases) g
JOIN scale_villages v ON v.k = g % 1000
-- g % 1000 picks the village, (g / 1000) % 10 the state, so every village has every state
CROSS JOIN LATERAL (SELECT CASE WHEN (g / 1000) % 10 < 7 THEN 'included'
                                WHEN (g / 1000) % 10 = 7 THEN 'lead'
                                WHEN (g / 1000) % 10 = 8 THEN 'township_review'
                                ELSE 'county_approval' END AS state) st;

INSERT INTO audit_entries ("caseId", seq, event, "fromState", "toState", "actorId", "actorUsername", "actorRole", at, reason, data, evidence,
                           "policyVersion", "prevHash", hash)
SELECT md5('case' || g)::uuid::text, s,
       (ARRAY['CREATE','RECORD_VERIFICATION','RECORD_APPRAISAL','PUBLISH_NOTICE','CLOSE_NOTICE'])[s],
       (ARRAY[NULL,'lead','village_appraisal','public_notice','public_notice'])[s],
       (ARRAY['lead','village_appraisal','public_notice','public_notice','township_review'])[s],
       'scale-user', 'scale', 'village', now() - ((g % 700) || ' days')::interval + (s || ' hours')::interval, NULL, '{}', '[]',
       '000000000000#1', md5('p' || g || ':' || s) || md5('q' || g || ':' || s), md5('h' || g || ':' || s) || md5('i' || g || ':' || s)
FROM generate_series(1, :cases) g, generate_series(1, 5) s;

INSERT INTO monitoring_objects (id, "householdId", "areaCode", "monitoringType", "riskTypes", "startDate", "assistanceContact", status,
                                "inclusionCaseId", "previousMonitoringObjectId", verification, "createdAt", "updatedAt")
SELECT md5('mo' || c.id)::uuid::text, c."subjectId", c."areaCode", 'sudden_hardship', '["illness"]', to_char(c."closedAt", 'YYYY-MM-DD'),
       '{"name":"联系人","unit":"乡村振兴局","phone":"13900000000"}', CASE WHEN c."createdAt" < now() - interval '400 days' THEN 'eliminated' ELSE 'monitoring' END,
       c.id, NULL, '{}', c."closedAt", c."closedAt"
FROM cases c WHERE c."createdById" = 'scale-user' AND c.state = 'included';
COMMIT;
ANALYZE cases;
ANALYZE audit_entries;
ANALYZE monitoring_objects;
