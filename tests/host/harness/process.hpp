// HTTP suites' harness (tests/host/http_harness.hpp): child processes, run to completion or kept
// running with their output lines collected; every one is kept for secret_leaks (transcript.hpp).
#pragma once

#include "../transcript.hpp"
#include "environment.hpp"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace http_test {

struct command_result {
    int status = -1;
    std::string output; // stdout and stderr
};

// Runs a program to completion; output captured.
inline command_result run_command(const std::vector<std::string>& args)
{
    transcript::note_secrets_of(args);
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(fds[1], 1);
        ::dup2(fds[1], 2);
        ::close(fds[0]);
        ::close(fds[1]);
        std::vector<char*> argv;
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    command_result out;
    char buf[4096];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out.output.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    transcript::append(transcript::process_file(args, pid), out.output);
    return out;
}

// A long-running child whose output lines are collected by a reader thread.
class child {
public:
    explicit child(const std::vector<std::string>& args)
    {
        transcript::note_secrets_of(args);
        int fds[2];
        if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(fds[1], 1);
            ::dup2(fds[1], 2);
            ::close(fds[0]);
            ::close(fds[1]);
            std::vector<char*> argv;
            for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(fds[1]);
        fd_ = fds[0];
        transcript_ = transcript::process_file(args, pid_);
        reader_ = std::thread([this] { read_lines(); });
    }
    ~child()
    {
        stop();
        reader_.join();
        ::close(fd_);
    }
    child(const child&) = delete;
    child& operator=(const child&) = delete;

    // SIGTERM and wait; the exit status (-1 when killed by a signal).
    int stop()
    {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
            pid_ = -1;
            exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        return exit_status_;
    }

    // SIGKILL and wait: no shutdown, no drain, nothing flushed (a crash).
    void kill_now()
    {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            ::waitpid(pid_, &status, 0);
            pid_ = -1;
            exit_status_ = -1;
        }
    }

    // The first line starting with `prefix`, waiting at most `timeout`.
    std::optional<std::string> wait_for_line(const std::string& prefix,
                                             std::chrono::milliseconds timeout = std::chrono::seconds(20))
    {
        std::unique_lock lock(mutex_);
        std::optional<std::string> found;
        cv_.wait_for(lock, timeout, [&] {
            for (const auto& l : lines_)
                if (l.rfind(prefix, 0) == 0) {
                    found = l;
                    return true;
                }
            return done_;
        });
        return found;
    }

    pid_t pid() const { return pid_; }

    std::vector<std::string> lines() const
    {
        std::lock_guard lock(mutex_);
        return lines_;
    }

    std::string output() const
    {
        std::string all;
        for (const auto& l : lines()) all += l + "\n";
        return all;
    }

private:
    void read_lines()
    {
        std::string pending;
        char buf[4096];
        for (ssize_t n; (n = ::read(fd_, buf, sizeof buf)) > 0;) {
            transcript::append(transcript_, std::string_view(buf, static_cast<std::size_t>(n)));
            pending.append(buf, static_cast<std::size_t>(n));
            for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
                std::lock_guard lock(mutex_);
                lines_.push_back(pending.substr(0, nl));
                pending.erase(0, nl + 1);
                cv_.notify_all();
            }
        }
        std::lock_guard lock(mutex_);
        if (!pending.empty()) lines_.push_back(pending);
        done_ = true;
        cv_.notify_all();
    }

    pid_t pid_ = -1;
    int fd_ = -1;
    fs::path transcript_;
    int exit_status_ = -1;
    std::thread reader_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::string> lines_;
    bool done_ = false;
};

} // namespace http_test
