// The Poco side of HttpServer: listening (plain or TLS), one thread per
// connection from a bounded pool, keep-alive, and graceful shutdown. What a
// request means is pipeline.cc's business; how its bytes parse is
// request_reader.cc's. Every Poco exception stops in this file.
#include "adapter/api/http/server.h"

#include <Poco/Exception.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Net/TCPServerParams.h>
#include <Poco/ThreadPool.h>
#include <Poco/Timespan.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <map>
#include <mutex>

#include "adapter/api/http/ascii.h"
#include "adapter/api/http/options_check.h"
#include "adapter/api/http/pipeline.h"
#include "adapter/api/http/poco_tls.h"
#include "adapter/api/http/problem.h"
#include "adapter/api/http/request_reader.h"
#include "adapter/api/http/response_writer.h"
#include "adapter/api/http/url_codec.h"

namespace sa::adapter::api {
namespace {

using Clock = std::chrono::steady_clock;

// How often a connection waiting for its next request looks at the stop
// flag: the most an idle keep-alive connection delays Shutdown.
constexpr std::chrono::milliseconds kPollSlice{100};
// After an error response whose request body was not read, the body still
// arriving is read and dropped for up to this long / this many bytes before
// closing: closing with unread data would send a reset that can destroy the
// response before the client reads it.
constexpr std::chrono::milliseconds kLingerTime{1'000};
constexpr std::size_t kLingerMaxBytes = 1 << 20;
// Pending connections the kernel queues before accept.
constexpr int kListenBacklog = 64;
// How long an idle pool thread waits for another connection before it ends;
// also bounds how long Shutdown waits for the pool.
const Poco::Timespan kDispatcherIdle(0, 100'000);

Poco::Timespan ToTimespan(Clock::duration d) {
  return Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

// A process that writes to a socket its peer closed gets SIGPIPE, which by
// default ends it; OpenSSL writes without MSG_NOSIGNAL. A server must survive
// that, so SIGPIPE is ignored unless someone installed a handler.
void IgnoreSigpipe() {
  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    signal(SIGPIPE, SIG_IGN);
  }
}

// Request bytes from the socket, each read bounded by the request's deadline.
class SocketSource : public ByteSource {
 public:
  explicit SocketSource(Poco::Net::StreamSocket& socket) : socket_(socket) {}
  void SetDeadline(Clock::time_point deadline) { deadline_ = deadline; }

  long Read(char* buf, std::size_t n) override {
    Clock::duration remaining = deadline_ - Clock::now();
    if (remaining <= Clock::duration::zero()) return kTimeout;
    try {
      socket_.setReceiveTimeout(
          ToTimespan(std::max<Clock::duration>(remaining, std::chrono::milliseconds(1))));
      int r = socket_.receiveBytes(buf, static_cast<int>(std::min<std::size_t>(n, INT_MAX)));
      return r < 0 ? kError : r;
    } catch (const Poco::TimeoutException&) {
      return kTimeout;
    } catch (...) {
      return kError;
    }
  }

 private:
  Poco::Net::StreamSocket& socket_;
  Clock::time_point deadline_ = Clock::now();
};

bool SendAll(Poco::Net::StreamSocket& socket, const std::string& data) {
  try {
    std::size_t off = 0;
    while (off < data.size()) {
      int n = socket.sendBytes(data.data() + off,
                               static_cast<int>(std::min<std::size_t>(data.size() - off, INT_MAX)));
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace

struct HttpServer::Impl {
  Impl(ServerOptions o, const Router* r)
      : options(std::move(o)),
        router(r),
        pipeline(router, &options),
        pool(std::min(2, options.limits.max_threads), options.limits.max_threads) {}

  void Serve(Poco::Net::StreamSocket& socket);
  // Waits (in slices, watching the stop flag) until a request starts.
  bool WaitForRequest(Poco::Net::StreamSocket& socket, BufferedReader& in,
                      std::chrono::milliseconds timeout);
  // Reads, handles and answers one request; false when the connection ends.
  bool ServeOne(Poco::Net::StreamSocket& socket, BufferedReader& in, SocketSource& source,
                const std::string& remote, const std::string& subject, bool may_keep_alive);
  void LingeringClose(Poco::Net::StreamSocket& socket, BufferedReader& in, SocketSource& source);
  void Shutdown(std::chrono::milliseconds drain);

  ServerOptions options;
  const Router* router;
  RequestPipeline pipeline;
  Poco::Net::Context::Ptr tls_context;  // null for plain HTTP
  std::string url_host;
  int port = 0;

  Poco::ThreadPool pool;  // declared before tcp: outlives it
  std::unique_ptr<Poco::Net::ServerSocket> listen_socket;
  std::unique_ptr<Poco::Net::TCPServer> tcp;

  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};
  std::mutex mu;  // guards connections
  std::condition_variable connections_changed;
  std::map<const void*, poco_socket_t> connections;  // for the forced close
  std::mutex shutdown_mu;
  bool shut_down = false;
};

namespace {

class Connection : public Poco::Net::TCPServerConnection {
 public:
  Connection(const Poco::Net::StreamSocket& socket, HttpServer::Impl* impl)
      : Poco::Net::TCPServerConnection(socket), impl_(impl) {}
  void run() override { impl_->Serve(socket()); }

 private:
  HttpServer::Impl* impl_;
};

class ConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
 public:
  explicit ConnectionFactory(HttpServer::Impl* impl) : impl_(impl) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new Connection(socket, impl_);
  }

 private:
  HttpServer::Impl* impl_;
};

}  // namespace

void HttpServer::Impl::Serve(Poco::Net::StreamSocket& socket) {
  const void* key = &socket;
  {
    std::lock_guard<std::mutex> lock(mu);
    connections[key] = socket.impl()->sockfd();
  }
  struct Unregister {
    Impl* impl;
    const void* key;
    ~Unregister() {
      std::lock_guard<std::mutex> lock(impl->mu);
      impl->connections.erase(key);
      impl->connections_changed.notify_all();
    }
  } unregister{this, key};
  if (stopping) return;

  std::string remote;
  try {
    remote = socket.peerAddress().host().toString();
    socket.setSendTimeout(ToTimespan(options.limits.request_timeout));
    socket.setReceiveTimeout(ToTimespan(options.limits.request_timeout));
  } catch (...) {
    return;
  }
  std::string subject;
  if (tls_context) {
    try {
      Poco::Net::SecureStreamSocket secure(socket);
      if (secure.completeHandshake() <= 0) return;
      if (options.tls->client_ca_file) subject = VerifiedPeerSubject(secure);
    } catch (const Poco::Exception& e) {
      // The TLS library's reason (no client certificate, unknown CA...) helps
      // whoever sets up mutual TLS; it holds no request data.
      pipeline.Log(
          "warn", "",
          {{"event", "tls_handshake_failed"}, {"client", remote}, {"reason", e.displayText()}});
      return;
    } catch (...) {
      return;
    }
  }
  SocketSource source(socket);
  BufferedReader in(&source);
  const int max_requests = options.limits.max_requests_per_connection;
  for (int served = 0; served < max_requests; ++served) {
    std::chrono::milliseconds wait =
        served == 0 ? options.limits.request_timeout : options.limits.keep_alive_timeout;
    if (!WaitForRequest(socket, in, wait)) return;
    if (!ServeOne(socket, in, source, remote, subject, served + 1 < max_requests)) return;
  }
}

bool HttpServer::Impl::WaitForRequest(Poco::Net::StreamSocket& socket, BufferedReader& in,
                                      std::chrono::milliseconds timeout) {
  if (stopping) return false;
  if (in.HasBuffered()) return true;
  Clock::time_point deadline = Clock::now() + timeout;
  try {
    while (!stopping) {
      if (socket.available() > 0) return true;  // TLS: a record already decrypted
      Clock::duration left = deadline - Clock::now();
      if (left <= Clock::duration::zero()) return false;
      auto slice = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::min<Clock::duration>(left, kPollSlice));
      pollfd p{socket.impl()->sockfd(), POLLIN, 0};
      int r = ::poll(&p, 1, static_cast<int>(std::max<long>(1, slice.count())));
      if (r < 0 && errno != EINTR) return false;
      if (r > 0) return !stopping;
    }
  } catch (...) {
  }
  return false;
}

bool HttpServer::Impl::ServeOne(Poco::Net::StreamSocket& socket, BufferedReader& in,
                                SocketSource& source, const std::string& remote,
                                const std::string& subject, bool may_keep_alive) {
  const ServerLimits& limits = options.limits;
  Clock::time_point start = Clock::now();
  source.SetDeadline(start + limits.request_timeout);
  in_flight.fetch_add(1);
  pipeline.AddInFlight(1);
  // Ends the request's in-flight time once, at the latest on return.
  struct InFlight {
    Impl* impl;
    bool done = false;
    void End() {
      if (done) return;
      done = true;
      impl->pipeline.AddInFlight(-1);
      impl->in_flight.fetch_sub(1);
    }
    ~InFlight() { End(); }
  } in_flight_guard{this};

  HttpRequest request;
  request.remote_address = remote;
  request.client_cert_subject = subject;
  RequestHead head;
  std::optional<ReadError> error = ReadRequestHead(in, limits, &head);
  if (error && error->status == 0) return false;  // the peer left: nothing to answer
  if (IsToken(head.method)) request.method = head.method;
  request.target = head.target;
  request.headers = head.headers;
  AssignRequestId(&request);

  HttpResponse response;
  bool close = false;
  if (!error) {
    std::string_view target = head.target;
    size_t q = target.find('?');
    std::optional<std::string> path = PercentDecode(target.substr(0, q), false);
    std::optional<NameValueList> query =
        q == std::string_view::npos ? NameValueList() : ParseQuery(target.substr(q + 1));
    if (!path || !query) {
      error = ReadError{400, "the request target has a malformed percent-escape"};
    } else {
      request.path = std::move(*path);
      request.query = std::move(*query);
      bool has_body = head.chunked || head.content_length > 0;
      if (has_body && head.expect_continue && !SendAll(socket, kContinueResponse)) return false;
      error = ReadRequestBody(in, head, limits, &request.body);
      if (error && error->status == 0) return false;
    }
  }
  if (error) {
    response = Problem(error->status, ReasonPhrase(error->status), error->detail);
    close = true;
  } else {
    response = pipeline.Handle(request);
  }
  pipeline.Finish(request, &response);
  bool keep_alive = !close && head.keep_alive && may_keep_alive && !stopping;
  bool head_request = request.method == "HEAD";
  std::string wire = SerializeResponse(response, keep_alive, head_request);
  bool no_body = head_request || response.status == 204 || response.status == 304;
  // Logged, counted and out of flight before the bytes go: whoever reads the
  // response (a test, a scrape) then sees the request already recorded.
  pipeline.Record(request, response.status, Clock::now() - start, request.body.size(),
                  no_body ? 0 : response.body.size());
  in_flight_guard.End();
  if (!SendAll(socket, wire)) return false;
  if (close) LingeringClose(socket, in, source);
  return keep_alive;
}

void HttpServer::Impl::LingeringClose(Poco::Net::StreamSocket& socket, BufferedReader& in,
                                      SocketSource& source) {
  try {
    // Plain TCP: send FIN now so the client sees the end of the response.
    // (TLS: a half-close would end the TLS session in both directions.)
    if (!tls_context) socket.shutdownSend();
    source.SetDeadline(Clock::now() + kLingerTime);
    std::size_t total = 0;
    while (total < kLingerMaxBytes && !stopping) {
      std::size_t n = 0;
      if (in.Discard(kLingerMaxBytes - total, &n) != BufferedReader::Result::kOk) break;
      total += n;
    }
  } catch (...) {
  }
}

void HttpServer::Impl::Shutdown(std::chrono::milliseconds drain) {
  std::lock_guard<std::mutex> once(shutdown_mu);
  if (shut_down) return;
  shut_down = true;
  stopping = true;
  Clock::time_point deadline = Clock::now() + drain;
  try {
    // Refuse new connections at once: shutdown() takes a listening socket
    // out of LISTEN (connects now get a reset), and wakes the acceptor.
    ::shutdown(listen_socket->impl()->sockfd(), SHUT_RDWR);
    tcp->stop();  // joins the acceptor; drops accepted connections not yet started
    listen_socket->close();
  } catch (...) {
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    connections_changed.wait_until(lock, deadline, [&] { return connections.empty(); });
    if (!connections.empty()) {
      // Past the drain time: cut every connection. shutdown() (not close())
      // is safe while another thread is blocked on the socket, and wakes it.
      for (const auto& [key, fd] : connections) ::shutdown(fd, SHUT_RDWR);
      pipeline.Log("warn", "",
                   {{"event", "server_drain_expired"}, {"connections", connections.size()}});
      connections_changed.wait(lock, [&] { return connections.empty(); });
    }
  }
  pool.joinAll();
  tcp.reset();
  pipeline.Log("info", "", {{"event", "server_stopped"}, {"port", port}});
}

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(ServerOptions options,
                                                        const Router* router) {
  if (!router) return Status::InvalidArgument("no router");
  if (!router->status().ok()) return router->status();
  SA_RETURN_IF_ERROR(CheckLimits(options.limits));
  SA_ASSIGN_OR_RETURN(ListenAddress address, ParseListen(options.listen));
  IgnoreSigpipe();

  auto impl = std::make_unique<Impl>(std::move(options), router);
  if (impl->options.tls) {
    SA_ASSIGN_OR_RETURN(impl->tls_context, MakeServerContext(*impl->options.tls));
  }
  const std::string& listen = impl->options.listen;
  try {
    Poco::Net::SocketAddress socket_address(address.host, static_cast<Poco::UInt16>(address.port));
    if (impl->tls_context) {
      impl->listen_socket = std::make_unique<Poco::Net::SecureServerSocket>(impl->tls_context);
    } else {
      impl->listen_socket = std::make_unique<Poco::Net::ServerSocket>();
    }
    // SO_REUSEADDR (restart without waiting out TIME_WAIT) but not
    // SO_REUSEPORT, which Poco's address constructors also set: with it a
    // second server would silently share the port instead of failing.
    impl->listen_socket->bind(socket_address, true, false);
    impl->listen_socket->listen(kListenBacklog);
    impl->port = impl->listen_socket->address().port();
    Poco::Net::TCPServerParams::Ptr params = new Poco::Net::TCPServerParams;
    params->setMaxThreads(impl->options.limits.max_threads);
    params->setMaxQueued(impl->options.limits.max_queued);
    params->setThreadIdleTime(kDispatcherIdle);
    impl->tcp = std::make_unique<Poco::Net::TCPServer>(new ConnectionFactory(impl.get()),
                                                       impl->pool, *impl->listen_socket, params);
    impl->tcp->start();
  } catch (const Poco::Exception& e) {
    return Status::Unavailable("cannot listen on " + listen + ": " + e.displayText());
  } catch (const std::exception& e) {
    return Status::Unavailable("cannot listen on " + listen + ": " + e.what());
  }
  impl->url_host = UrlHost(address.host);
  impl->pipeline.Log("info", "",
                     {{"event", "server_started"},
                      {"listen", listen},
                      {"port", impl->port},
                      {"tls", impl->tls_context ? true : false}});
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { impl_->Shutdown(impl_->options.limits.shutdown_drain); }

int HttpServer::port() const { return impl_->port; }

std::string HttpServer::base_url() const {
  return std::string(impl_->tls_context ? "https" : "http") + "://" + impl_->url_host + ":" +
         std::to_string(impl_->port);
}

void HttpServer::Shutdown(std::chrono::milliseconds drain) { impl_->Shutdown(drain); }

int HttpServer::in_flight() const { return impl_->in_flight.load(); }

}  // namespace sa::adapter::api
