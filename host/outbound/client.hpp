// recoupd: the outbound HTTP client for platform and processor APIs (connectors' sync requests,
// record-backs, charges). https (TLS with SNI and certificate verification against the system
// store) or plain http (loopback fakes); the URL is the MCA's base URL plus the request's path.
// Blocking for the caller; underneath, one exchange is asynchronous Asio on the client's own I/O
// thread under one total deadline, so a hung DNS server or a silent peer never holds a worker longer.
#pragma once

#include <recoup/connector.hpp>
#include <recoup/result.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace recoupd::outbound {

struct client_options {
    std::chrono::milliseconds connect_timeout{5000}; // resolve + connect
    std::chrono::milliseconds read_timeout{10000};   // TLS handshake, write and read after connecting
    std::size_t response_limit = 8 * 1024 * 1024;
    std::chrono::milliseconds total_timeout{15000};  // the whole exchange, resolve to last byte
};

// "https://api.example.com:8443/v2" split into its parts.
struct base_url {
    bool tls = true;
    std::string host;
    std::string port;   // "443" / "80" when absent
    std::string prefix; // path prefix without a trailing '/', may be empty

    static recoup::result<base_url> parse(std::string_view url);
};

class client {
public:
    explicit client(client_options options = {});
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    // Any HTTP status is a response; only transport failures (DNS, connect, TLS, timeout,
    // malformed answer) are failures, as error::sync_response_failed naming the request; a
    // timeout says "timed out after N ms". Safe to call from several threads at once.
    recoup::result<recoup::http_response> perform(std::string_view base,
                                                  const recoup::outbound_request& request) const;

    const client_options& options() const noexcept { return options_; }

private:
    struct engine;
    client_options options_;
    std::unique_ptr<engine> engine_;
};

} // namespace recoupd::outbound
