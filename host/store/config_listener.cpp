// recoupd: LISTEN recoup_config on a connection of its own (config_listener.hpp), through libpq.
#include "store/config_listener.hpp"

#include <libpq-fe.h>

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <stdexcept>

namespace recoupd {

namespace {

struct conn_closer {
    void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
using connection = std::unique_ptr<PGconn, conn_closer>;

struct result_clearer {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using result = std::unique_ptr<PGresult, result_clearer>;

bool run_command(PGconn* conn, const std::string& command)
{
    const result r(PQexec(conn, command.c_str()));
    return r && PQresultStatus(r.get()) == PGRES_COMMAND_OK;
}

std::optional<std::int64_t> read_version(PGconn* conn)
{
    const result r(PQexec(conn, "SELECT version FROM config_version WHERE id = 1"));
    if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK || PQntuples(r.get()) != 1) return std::nullopt;
    try {
        return std::stoll(PQgetvalue(r.get(), 0, 0));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// The notifications received so far: whether there was one, and the newest version they carry
// (none when one carried no version: then it must be read).
struct notified {
    bool any = false;
    std::optional<std::int64_t> version;
};

notified drain_notifications(PGconn* conn)
{
    notified out;
    bool unreadable = false;
    while (PGnotify* n = PQnotifies(conn)) {
        out.any = true;
        try {
            const auto v = std::stoll(n->extra);
            if (!out.version || v > *out.version) out.version = v;
        } catch (const std::exception&) {
            unreadable = true;
        }
        PQfreemem(n);
    }
    if (unreadable) out.version.reset();
    return out;
}

} // namespace

std::string config_listener_name(long pid) { return "recoupd config listener " + std::to_string(pid); }

config_listener::config_listener(const database_url& url, const store_options& options, events e)
    : conninfo_(libpq_connect_string(url, options) + " application_name='" + config_listener_name(::getpid()) + "'"),
      events_(std::move(e))
{
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) throw std::runtime_error("config listener: eventfd failed");
    thread_ = std::thread([this] { run(); });
}

config_listener::~config_listener()
{
    stop_.store(true);
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof one);
    if (thread_.joinable()) thread_.join();
    ::close(wake_fd_);
}

bool config_listener::wait_for_stop(std::chrono::milliseconds how_long)
{
    if (stop_.load()) return true;
    pollfd fd{wake_fd_, POLLIN, 0};
    ::poll(&fd, 1, static_cast<int>(how_long.count()));
    return stop_.load();
}

void config_listener::run()
{
    while (!stop_.load()) {
        bool listening = false;
        {
            // Connecting waits at most the URL's connect_timeout (store_options::connect_timeout).
            const connection conn(PQconnectdb(conninfo_.c_str()));
            const std::string listen = std::string("LISTEN ") + config_channel;
            std::optional<std::int64_t> version;
            // LISTEN first, then the version: a change committed in between is both read and notified.
            if (conn && PQstatus(conn.get()) == CONNECTION_OK && run_command(conn.get(), listen))
                version = read_version(conn.get());
            if (version) {
                listening = true;
                events_.current(*version);
                while (!stop_.load()) {
                    if (const auto n = drain_notifications(conn.get()); n.any) {
                        version = n.version ? n.version : read_version(conn.get()); // the payload: no read
                        if (!version) break;
                        events_.current(*version);
                        continue; // notifications may have come in while reading
                    }
                    pollfd fds[2] = {{PQsocket(conn.get()), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
                    if (::poll(fds, 2, static_cast<int>(poll_interval.count())) < 0) continue; // EINTR
                    if (stop_.load()) break;
                    if (fds[0].revents != 0 && PQconsumeInput(conn.get()) == 0) break; // connection lost
                    if (PQstatus(conn.get()) != CONNECTION_OK) break;
                }
            }
        }
        if (listening) events_.lost();
        if (wait_for_stop(reconnect_delay)) return;
    }
}

} // namespace recoupd
