-- Users, groups and access control lists. Portable SQL: runs on H2 (PostgreSQL mode) and PostgreSQL.

CREATE TABLE cohort_user (
    name          VARCHAR(64)  NOT NULL PRIMARY KEY,
    password_hash VARCHAR(512) NOT NULL,
    disabled      BOOLEAN      DEFAULT FALSE NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL
);

CREATE TABLE cohort_group (
    name        VARCHAR(64)  NOT NULL PRIMARY KEY,
    description VARCHAR(512) DEFAULT '' NOT NULL,
    built_in    BOOLEAN      DEFAULT FALSE NOT NULL
);

CREATE TABLE cohort_group_member (
    group_name VARCHAR(64) NOT NULL REFERENCES cohort_group (name) ON DELETE CASCADE,
    user_name  VARCHAR(64) NOT NULL REFERENCES cohort_user (name) ON DELETE CASCADE,
    PRIMARY KEY (group_name, user_name)
);

CREATE TABLE cohort_acl (
    name        VARCHAR(64)  NOT NULL PRIMARY KEY,
    description VARCHAR(512) DEFAULT '' NOT NULL,
    built_in    BOOLEAN      DEFAULT FALSE NOT NULL
);

CREATE TABLE cohort_acl_entry (
    acl_name   VARCHAR(64) NOT NULL REFERENCES cohort_acl (name) ON DELETE CASCADE,
    group_name VARCHAR(64) NOT NULL REFERENCES cohort_group (name) ON DELETE CASCADE,
    effect     VARCHAR(5)  NOT NULL CHECK (effect IN ('ALLOW', 'DENY')),
    PRIMARY KEY (acl_name, group_name)
);

-- Which ACL guards a folder ("samples.cart") or a service ("samples.cart:addItem").
-- Overrides what a package manifest declares.
CREATE TABLE cohort_acl_assignment (
    target   VARCHAR(255) NOT NULL PRIMARY KEY,
    acl_name VARCHAR(64)  NOT NULL REFERENCES cohort_acl (name) ON DELETE CASCADE
);

-- Bumped on every change to the tables above, so nodes know when to reload.
CREATE TABLE cohort_security_version (
    id      INTEGER NOT NULL PRIMARY KEY,
    version BIGINT  NOT NULL
);
INSERT INTO cohort_security_version (id, version) VALUES (1, 1);

INSERT INTO cohort_group (name, description, built_in) VALUES
    ('Administrators', 'May use the admin API and console.', TRUE),
    ('Everybody', 'Every authenticated user, implicitly.', TRUE),
    ('Anonymous', 'The unauthenticated caller, implicitly.', TRUE);

INSERT INTO cohort_acl (name, description, built_in) VALUES
    ('Default', 'Any authenticated user. Guards everything not assigned another ACL.', TRUE),
    ('Administrators', 'Administrators only.', TRUE),
    ('Anonymous', 'Anyone, also without credentials.', TRUE);

INSERT INTO cohort_acl_entry (acl_name, group_name, effect) VALUES
    ('Default', 'Everybody', 'ALLOW'),
    ('Administrators', 'Administrators', 'ALLOW'),
    ('Anonymous', 'Everybody', 'ALLOW'),
    ('Anonymous', 'Anonymous', 'ALLOW');
