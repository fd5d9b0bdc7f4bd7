-- Guaranteed delivery: one row per transaction id, shared by every node of the cluster.
-- Portable SQL (H2 in PostgreSQL mode and PostgreSQL). Times come from the database's clock.

CREATE TABLE cohort_gd_tx (
    tid           VARCHAR(160) NOT NULL PRIMARY KEY,
    owner_name    VARCHAR(64)  NOT NULL,
    -- 'TX': started by a transactional client; 'KEY': made by an Idempotency-Key header
    kind          VARCHAR(3)   NOT NULL CHECK (kind IN ('TX', 'KEY')),
    state         VARCHAR(8)   NOT NULL CHECK (state IN ('NEW', 'PENDING', 'DONE', 'FAILED', 'IN_DOUBT')),
    service       VARCHAR(255),
    guarantee     VARCHAR(16),
    body_hash     VARCHAR(64),
    input         TEXT,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    ttl_ms        BIGINT       NOT NULL,
    retries       INTEGER      NOT NULL,
    retries_left  INTEGER      NOT NULL,
    attempts      INTEGER      DEFAULT 0 NOT NULL,
    -- the fencing token: bumped by every claim; only the holder of the current token may end
    -- the attempt
    lease_token   BIGINT       DEFAULT 0 NOT NULL,
    lease_node    VARCHAR(255),
    lease_until   TIMESTAMP WITH TIME ZONE,
    -- send (fire and forget): the result is not kept
    discard       BOOLEAN      DEFAULT FALSE NOT NULL,
    status_code   INTEGER,
    result        TEXT,
    error_code    VARCHAR(64),
    error_message VARCHAR(2000)
);

CREATE INDEX cohort_gd_tx_state ON cohort_gd_tx (state, lease_until);
CREATE INDEX cohort_gd_tx_expiry ON cohort_gd_tx (expires_at);
