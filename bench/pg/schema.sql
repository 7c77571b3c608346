-- PostgreSQL baseline (issue #7): the same durable provisioning transaction
-- as dwt's push provisioning, in three tables. See provision.sql.
DROP TABLE IF EXISTS outbox, transition, token;

CREATE TABLE token (
  token_ref          text PRIMARY KEY,
  card_id            text NOT NULL,
  partner_id         text NOT NULL,
  wallet_provider    text NOT NULL,
  device             jsonb NOT NULL,
  state              text NOT NULL,
  fulfillment_status text NOT NULL,
  last4              text NOT NULL,
  token_last4        text NOT NULL,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL
);
CREATE INDEX token_by_card ON token (card_id);

CREATE TABLE transition (
  id                 bigserial PRIMARY KEY,
  token_ref          text NOT NULL REFERENCES token (token_ref),
  card_id            text NOT NULL,
  from_state         text,
  state              text NOT NULL,
  fulfillment_status text NOT NULL,
  reason             text,
  channel            text NOT NULL,
  created_at         timestamptz NOT NULL
);
CREATE INDEX transition_by_token ON transition (token_ref, id);

-- Webhook outbox: one row per event, pending until delivered.
CREATE TABLE outbox (
  id          bigserial PRIMARY KEY,
  partner_id  text NOT NULL,
  event_type  text NOT NULL,
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL,
  delivered   boolean NOT NULL DEFAULT false
);
CREATE INDEX outbox_pending ON outbox (partner_id, id) WHERE NOT delivered;
