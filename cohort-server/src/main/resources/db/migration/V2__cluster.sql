-- Cluster membership through the shared database: one row per node, heartbeated on the
-- database's clock. Portable SQL (H2 in PostgreSQL mode and PostgreSQL).

CREATE TABLE cohort_node (
    cluster_name   VARCHAR(64)  NOT NULL,
    node_name      VARCHAR(255) NOT NULL,
    url            VARCHAR(512) NOT NULL,
    admin_url      VARCHAR(512) NOT NULL,
    version        VARCHAR(64)  NOT NULL,
    state          VARCHAR(16)  NOT NULL,
    started_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    last_heartbeat TIMESTAMP WITH TIME ZONE NOT NULL,
    clock_skew_ms  BIGINT       DEFAULT 0 NOT NULL,
    PRIMARY KEY (cluster_name, node_name)
);
