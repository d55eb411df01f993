-- SE-QPT database (PostgreSQL), as it stands after the 2025-11-05
-- "Global Strategy Templates" migration (seed 000). The migration added the
-- tables strategy_template and strategy_template_competency and the column
-- learning_strategy.strategy_template_id; src/backend/models.py was never
-- updated, so the backend dies at import:
--   ImportError: cannot import name 'StrategyTemplate' from 'models'
--
-- Portable on purpose: apart from SERIAL (the tests turn it into INTEGER for
-- SQLite), SQLite runs this file as it is.

CREATE TABLE organization (
    id SERIAL PRIMARY KEY,
    organization_name VARCHAR(255) NOT NULL UNIQUE,
    organization_public_key VARCHAR(50) NOT NULL UNIQUE,
    phase1_completed BOOLEAN DEFAULT FALSE,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE competency (
    id SERIAL PRIMARY KEY,
    competency_name VARCHAR(255) NOT NULL,
    competency_area VARCHAR(50),
    description TEXT
);

CREATE TABLE learning_strategy (
    id SERIAL PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organization(id) ON DELETE CASCADE,
    strategy_name VARCHAR(255) NOT NULL,
    strategy_description TEXT,
    selected BOOLEAN DEFAULT FALSE,
    priority INTEGER,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE strategy_competency (
    id SERIAL PRIMARY KEY,
    strategy_id INTEGER NOT NULL REFERENCES learning_strategy(id) ON DELETE CASCADE,
    competency_id INTEGER NOT NULL REFERENCES competency(id),
    target_level INTEGER NOT NULL,
    UNIQUE (strategy_id, competency_id),
    CONSTRAINT strategy_competency_target_level_check
        CHECK (target_level >= 1 AND target_level <= 6)
);

CREATE TABLE learning_objective (
    id SERIAL PRIMARY KEY,
    organization_id INTEGER NOT NULL REFERENCES organization(id),
    competency_id INTEGER NOT NULL REFERENCES competency(id),
    objective_text TEXT NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX ix_learning_objective_organization_id ON learning_objective (organization_id);

-- ---------------------------------------------------------------------------
-- Migration 2025-11-05: Global Strategy Templates
-- ---------------------------------------------------------------------------

CREATE TABLE strategy_template (
    id SERIAL PRIMARY KEY,
    strategy_name VARCHAR(255) NOT NULL UNIQUE,
    strategy_description TEXT,
    requires_pmt_context BOOLEAN DEFAULT FALSE,
    is_active BOOLEAN DEFAULT TRUE,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE strategy_template_competency (
    id SERIAL PRIMARY KEY,
    strategy_template_id INTEGER NOT NULL REFERENCES strategy_template(id) ON DELETE CASCADE,
    competency_id INTEGER NOT NULL REFERENCES competency(id) ON DELETE CASCADE,
    target_level INTEGER NOT NULL CHECK (target_level >= 1 AND target_level <= 6),
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (strategy_template_id, competency_id)
);

CREATE INDEX idx_strategy_template_competency_template
    ON strategy_template_competency (strategy_template_id);
CREATE INDEX idx_strategy_template_competency_competency
    ON strategy_template_competency (competency_id);

-- Custom strategies keep strategy_template_id NULL.
ALTER TABLE learning_strategy
    ADD COLUMN strategy_template_id INTEGER REFERENCES strategy_template(id);
