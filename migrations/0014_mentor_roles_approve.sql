-- Holding a mentor role is the approval to mentor. Members given the role before this
-- rule (seeded by the program file, `/role grant`, a Discord role) get an approved profile.
INSERT INTO mentor_profiles (member_id, community_id, tier, capacity, skills, status, offered_at, decided_at)
SELECT m.id, m.community_id,
       CASE WHEN bool_or(r.role = 'lead_mentor') THEN 'lead' ELSE 'community' END,
       CASE WHEN bool_or(r.role = 'lead_mentor') THEN 1 ELSE 3 END,
       m.skills, 'approved', min(r.granted_at), min(r.granted_at)
  FROM member_roles r JOIN members m ON m.id = r.member_id
 WHERE r.role IN ('lead_mentor', 'community_mentor')
 GROUP BY m.id, m.community_id, m.skills
ON CONFLICT (member_id) DO UPDATE SET
    status = 'approved', decline_reason = NULL,
    tier = CASE WHEN mentor_profiles.tier = 'lead' THEN 'lead' ELSE EXCLUDED.tier END;
