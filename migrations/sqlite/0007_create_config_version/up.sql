-- One row whose version every change of a profile or an MCA bumps in its own transaction: a
-- running recoupd serves profiles and MCAs from memory and reads only this row to know its copy
-- is still current (docs/running-the-host.md, "Configuration cache").
CREATE TABLE config_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO config_version (id, version) VALUES (1, 0);
