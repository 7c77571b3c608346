-- pgbench custom script: one push provisioning = one transaction, like dwt's
-- (cap check on the card, token row, transition row, outbox row), committed
-- with synchronous_commit = on. Random 30-character token refs, as dwt's.
--   pgbench -n -M prepared -f provision.sql -c C -j 2 -T S
\set card random(1, 100000)
BEGIN;
SELECT count(*) FROM token WHERE card_id = 'card-' || :card AND state IN ('ACTIVE', 'SUSPENDED');
WITH t AS (
  INSERT INTO token (token_ref, card_id, partner_id, wallet_provider, device, state,
                     fulfillment_status, last4, token_last4, created_at, updated_at)
  VALUES ('DNITHE' || substr(md5(random()::text || clock_timestamp()::text), 1, 24),
          'card-' || :card, 'demo-partner', 'GOOGLE_PAY',
          '{"id":"dev-1","type":"PHONE","name":"load phone"}', 'ACTIVE', 'PROVISIONED',
          '4242', '1234', now(), now())
  RETURNING token_ref, card_id, partner_id
), tr AS (
  INSERT INTO transition (token_ref, card_id, from_state, state, fulfillment_status, reason,
                          channel, created_at)
  SELECT token_ref, card_id, NULL, 'ACTIVE', 'PROVISIONED', 'push_provisioning', 'PARTNER_API', now()
  FROM t
  RETURNING id, token_ref, card_id
)
INSERT INTO outbox (partner_id, event_type, payload, created_at)
SELECT t.partner_id, 'DigitalWalletTokenTransition',
       jsonb_build_object('id', tr.id, 'tokenUniqueReference', tr.token_ref, 'cardId', tr.card_id,
                          'state', 'ACTIVE', 'fulfillmentStatus', 'PROVISIONED',
                          'channel', 'PARTNER_API', 'walletProvider', 'GOOGLE_PAY'),
       now()
FROM t, tr;
COMMIT;
