-- What each node runs, so that cluster status can flag a node that differs from the others.
ALTER TABLE cohort_node ADD COLUMN packages_fingerprint VARCHAR(64) DEFAULT '' NOT NULL;
ALTER TABLE cohort_node ADD COLUMN security_version BIGINT DEFAULT 0 NOT NULL;
