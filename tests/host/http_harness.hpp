// Shared by the HTTP integration suites: a `recoupd serve` child process on a free loopback
// port, a database of its own per test (an SQLite file in a temp dir, or a fresh PostgreSQL
// schema), the CLI to create profiles and MCAs, a plain HTTP client, and SQL to check rows.
// Every process started and every response read here is kept for secret_leaks (transcript.hpp).
// The one header every suite includes; its parts are in harness/.
#pragma once

#include "harness/environment.hpp" // env_or, fixture, own_fixture, replace_all, random_suffix
#include "harness/process.hpp"     // run_command, child
#include "harness/http_client.hpp" // reply, send, connection, send_raw, error_code_of
#include "harness/database.hpp"    // backend, on_postgresql, HTTP_TEST_MAIN, test_database
#include "harness/host.hpp"        // recoupd_cli, add_mca, server, *_headers, log_line_of, world

// What this header included before it was split, for the suites that used it without including it.
#include <atomic>
#include <fstream>
#include <sstream>
