DROP TABLE IF EXISTS config_version;
