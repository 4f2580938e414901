#include "tests/bench/null_fhir_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>

namespace sa::bench {
namespace {

// Largest request the server reads (a plan Bundle is a few KiB).
constexpr std::size_t kMaxRequestBytes = 16 * 1024 * 1024;

std::atomic<uint64_t> g_ids{0};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Response(int status, const char* reason, const std::string& body, const std::string& headers = "") {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: application/fhir+json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         headers + "\r\n" + body;
}

std::size_t Count(std::string_view hay, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = hay.find(needle); at != std::string_view::npos; at = hay.find(needle, at + needle.size())) ++n;
  return n;
}

std::string TransactionResponse(std::size_t entries) {
  std::string body = R"({"resourceType":"Bundle","type":"transaction-response","entry":[)";
  for (std::size_t i = 0; i < entries; ++i) {
    if (i) body += ",";
    body += R"({"response":{"status":"200 OK","location":"Basic/null-)" + std::to_string(++g_ids) +
            R"(/_history/1","etag":"W/\"1\"","lastModified":"2026-01-01T00:00:00Z"}})";
  }
  return body + "]}";
}

const std::string& PatientSearchset(int port) {
  static const std::string body =
      R"({"resourceType":"Bundle","type":"searchset","total":1,"entry":[{"fullUrl":"http://127.0.0.1:)" +
      std::to_string(port) +
      R"(/fhir/R4/Patient/null-patient","resource":{"resourceType":"Patient","id":"null-patient",)"
      R"("identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}]},)"
      R"("search":{"mode":"match"}}]})";
  return body;
}

std::string Answer(std::string_view method, std::string_view target, std::string_view body, int port) {
  std::string_view path = target.substr(0, target.find('?'));
  const std::string_view base = kNullFhirBasePath;
  if (path.rfind(base, 0) != 0) return Response(404, "Not Found", R"({"resourceType":"OperationOutcome"})");
  std::string_view rest = path.substr(base.size());
  if (!rest.empty() && rest[0] == '/') rest.remove_prefix(1);
  std::string_view type = rest.substr(0, rest.find('/'));
  if (method == "POST" && rest.empty()) {
    // nlohmann's compact dump: every entry has exactly one `"request":{`, and
    // nothing else has it (a conditional reference such as
    // "Patient?identifier=…" in a resource is a plain string value).
    return Response(200, "OK", TransactionResponse(Count(body, "\"request\":{")));
  }
  if (method == "GET" && type == "Patient") return Response(200, "OK", PatientSearchset(port));
  if (method == "GET") return Response(200, "OK", R"({"resourceType":"Bundle","type":"searchset","total":0})");
  if (method == "PUT" || method == "POST") {
    const std::string id = "null-" + std::to_string(++g_ids);
    const std::string location =
        "Location: http://127.0.0.1:" + std::to_string(port) + std::string(base) + "/" + std::string(type) + "/" +
        id + "/_history/1\r\nETag: W/\"1\"\r\n";
    std::string reply = R"({"resourceType":")" + std::string(type) + R"(","id":")" + id + R"(","meta":{"versionId":"1"}})";
    return method == "PUT" ? Response(200, "OK", reply, location) : Response(201, "Created", reply, location);
  }
  return Response(405, "Method Not Allowed", R"({"resourceType":"OperationOutcome"})");
}

bool SendAll(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// Serves one keep-alive connection until the client closes it.
void Serve(int fd, int port) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::string buf;
  char chunk[64 * 1024];
  auto fill = [&]() {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<std::size_t>(n));
    return buf.size() <= kMaxRequestBytes;
  };
  while (true) {
    std::size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return (void)::close(fd);
    }
    std::string_view head(buf.data(), end);
    std::size_t sp1 = head.find(' '), sp2 = head.find(' ', sp1 + 1);
    std::string method(head.substr(0, sp1));
    std::string target(head.substr(sp1 + 1, sp2 - sp1 - 1));
    std::size_t length = 0;
    bool chunked = false, expect_continue = false;
    for (std::size_t at = head.find("\r\n"); at != std::string_view::npos;) {
      std::size_t next = head.find("\r\n", at + 2);
      std::string_view line = head.substr(at + 2, next == std::string_view::npos ? std::string_view::npos : next - at - 2);
      std::size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string name = Lower(line.substr(0, colon));
        std::string value = Lower(line.substr(colon + 1));
        if (name == "content-length") length = std::stoull(value);
        if (name == "transfer-encoding" && value.find("chunked") != std::string::npos) chunked = true;
        if (name == "expect" && value.find("100-continue") != std::string::npos) expect_continue = true;
      }
      at = next;
    }
    if (chunked) {
      SendAll(fd, Response(501, "Not Implemented", R"({"resourceType":"OperationOutcome"})", "Connection: close\r\n"));
      return (void)::close(fd);
    }
    if (expect_continue && !SendAll(fd, "HTTP/1.1 100 Continue\r\n\r\n")) return (void)::close(fd);
    while (buf.size() < end + 4 + length) {
      if (!fill()) return (void)::close(fd);
    }
    std::string_view body(buf.data() + end + 4, length);
    if (!SendAll(fd, Answer(method, target, body, port))) return (void)::close(fd);
    buf.erase(0, end + 4 + length);
  }
}

[[noreturn]] void AcceptLoop(int listener, int port) {
  while (true) {
    int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) continue;
    std::thread(Serve, fd, port).detach();
  }
}

}  // namespace

StatusOr<std::unique_ptr<NullFhirServer>> NullFhirServer::Fork() {
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) return Status::Internal("socket() failed");
  int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 256) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(listener);
    return Status::Internal("cannot listen on 127.0.0.1");
  }
  std::unique_ptr<NullFhirServer> server(new NullFhirServer());
  server->port_ = ntohs(addr.sin_port);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return Status::Internal("fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(0);
    AcceptLoop(listener, server->port_);
  }
  ::close(listener);
  server->pid_ = pid;
  return server;
}

NullFhirServer::~NullFhirServer() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

}  // namespace sa::bench
