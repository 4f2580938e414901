#include "adapter/local_fhir_server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

namespace sa::adapter {

Status LocalFhirServer::Start(const std::string& script, const std::vector<std::string>& extra_args) {
  if (pid_ > 0) return Status::FailedPrecondition("server already started");
  if (::access(script.c_str(), R_OK) != 0) {
    return Status::NotFound(script + ": the bundled FHIR server is not there (run from the source tree)");
  }
  int out[2];
  if (::pipe(out) != 0) return Status::Internal("pipe failed");
  std::vector<std::string> args = {"node", script, "--port", "0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_t pid = ::fork();
  if (pid < 0) return Status::Internal("fork failed");
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp("node", argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  pid_ = pid;
  stdout_fd_ = out[0];
  std::string buffer;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kServerStartTimeoutMs);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{stdout_fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) > 0) {
      char chunk[256];
      ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
      if (n <= 0) break;  // the process closed stdout: it died
      buffer.append(chunk, static_cast<std::size_t>(n));
      auto pos = buffer.find("LISTENING ");
      auto nl = buffer.find('\n', pos == std::string::npos ? 0 : pos);
      if (pos != std::string::npos && nl != std::string::npos) {
        port_ = std::atoi(buffer.c_str() + pos + 10);
        return port_ > 0 ? Status::Ok() : Status::Internal("bad LISTENING line from the FHIR server");
      }
    }
  }
  Stop();
  return Status::Unavailable("the bundled FHIR server did not start (is node installed and `npm ci` done?)");
}

void LocalFhirServer::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
}

std::string LocalFhirServer::root(const std::string& scheme) const {
  return scheme + "://127.0.0.1:" + std::to_string(port_);
}

}  // namespace sa::adapter
