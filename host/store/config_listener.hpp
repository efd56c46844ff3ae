// recoupd: a serving host's ear for configuration changes on PostgreSQL. Every write of a profile,
// an MCA or an endpoint raises the config_version row and notifies config_channel with the new
// version as payload in the same transaction (delivered at commit). The listener keeps one
// connection of its own, on a thread of its own, that LISTENs on that channel; it reads the
// version when it (re)connects, takes it from each notification's payload (or reads it when a
// payload is not a number), and reports it through `current`. When its connection is lost it
// says so through `lost` and reconnects (bounded waits, retried until stopped); notifications
// sent meanwhile are missed, which is why it reads the version again once reconnected.
// docs/running-the-host.md, "The account cache".
#pragma once

#include "store/database_url.hpp"
#include "store/store_options.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace recoupd {

// The channel of configuration changes; the one name both sides use.
inline constexpr const char* config_channel = "recoup_config";

// The application_name of the listener's connection for the process `pid` (pg_stat_activity shows it).
std::string config_listener_name(long pid);

class config_listener {
public:
    struct events {
        std::function<void(std::int64_t version)> current; // connected and listening; the version as of now
        std::function<void()> lost;                         // not listening any more: read the version yourself
    };

    // How long the thread waits on the socket before checking that it should stop, and how long
    // it waits before reconnecting after a failure.
    static constexpr std::chrono::milliseconds poll_interval{500};
    static constexpr std::chrono::milliseconds reconnect_delay{500};

    // Starts the thread; a PostgreSQL URL only (std::invalid_argument otherwise).
    config_listener(const database_url& url, const store_options& options, events e);
    ~config_listener(); // stops the thread and closes its connection
    config_listener(const config_listener&) = delete;
    config_listener& operator=(const config_listener&) = delete;

private:
    void run();
    bool wait_for_stop(std::chrono::milliseconds how_long); // true when asked to stop

    std::string conninfo_;
    events events_;
    int wake_fd_ = -1; // an eventfd the destructor signals
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

} // namespace recoupd
