#include "adapter/api/http/test_client.h"

#include <thread>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include "adapter/api/http/ascii.h"

namespace sa::adapter::api::testing {
namespace {

ClientResponse Exchange(Poco::Net::HTTPClientSession& session, const ClientRequest& request) {
  session.setTimeout(Poco::Timespan(10, 0));
  Poco::Net::HTTPRequest req(request.method, request.path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [name, value] : request.headers) req.add(name, value);
  if (!request.content_type.empty()) req.setContentType(request.content_type);
  if (request.chunked) {
    req.setChunkedTransferEncoding(true);
  } else if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    req.setContentLength(static_cast<std::streamsize>(request.body.size()));
  }
  std::ostream& out = session.sendRequest(req);
  out << request.body;
  Poco::Net::HTTPResponse resp;
  std::istream& in = session.receiveResponse(resp);
  ClientResponse r;
  r.status = resp.getStatus();
  for (const auto& [name, value] : resp) r.headers[AsciiLower(name)] = value;
  Poco::StreamCopier::copyToString(in, r.body);
  return r;
}

}  // namespace

std::string ClientResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

nlohmann::json ClientResponse::Json() const { return nlohmann::json::parse(body, nullptr, false); }

ClientResponse Call(int port, const ClientRequest& request) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  return Exchange(session, request);
}

ClientResponse CallTls(int port, Poco::Net::Context::Ptr context, const ClientRequest& request) {
  Poco::Net::HTTPSClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port), context);
  return Exchange(session, request);
}

Poco::Net::Context::Ptr ClientContext(const std::string& ca_file, const std::string& cert_file,
                                      const std::string& key_file) {
  Poco::Net::initializeSSL();
  Poco::Net::Context::Params params;
  params.caLocation = ca_file;
  params.certificateFile = cert_file;
  params.privateKeyFile = key_file;
  params.loadDefaultCAs = false;
  params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
  return new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
}

std::string RawExchange(int port, const std::string& bytes, std::chrono::milliseconds timeout) {
  Poco::Net::StreamSocket socket;
  socket.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
  socket.setReceiveTimeout(Poco::Timespan(timeout.count() * 1000));
  std::string out;
  try {
    size_t off = 0;
    while (off < bytes.size()) {
      int n = socket.sendBytes(bytes.data() + off, static_cast<int>(bytes.size() - off));
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
  } catch (const Poco::Exception&) {
    // The server may answer and close before taking everything.
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[16384];
  try {
    while (std::chrono::steady_clock::now() < deadline) {
      int n = socket.receiveBytes(buf, sizeof(buf));
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
  } catch (const Poco::Exception&) {
  }
  return out;
}

ClientResponse ParseRawResponse(const std::string& raw) {
  ClientResponse r;
  size_t end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) return r;
  r.status = std::stoi(raw.substr(9, 3));
  size_t pos = raw.find("\r\n") + 2;
  while (pos < end) {
    size_t eol = raw.find("\r\n", pos);
    std::string line = raw.substr(pos, eol - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      r.headers[AsciiLower(line.substr(0, colon))] = std::string(TrimOws(line.substr(colon + 1)));
    }
    pos = eol + 2;
  }
  size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
  r.body = raw.substr(end + 4, length);
  return r;
}

bool ConnectRefused(int port) {
  try {
    Poco::Net::StreamSocket socket;
    socket.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)),
                   Poco::Timespan(2, 0));
    return false;
  } catch (const Poco::Net::ConnectionRefusedException&) {
    return true;
  } catch (const Poco::Exception&) {
    return false;
  }
}

LogSink LogCapture::Sink() {
  return [this](const std::string& line) {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.push_back(line);
  };
}

std::vector<nlohmann::json> LogCapture::Lines() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<nlohmann::json> out;
  for (const std::string& l : lines_) out.push_back(nlohmann::json::parse(l, nullptr, false));
  return out;
}

std::string LogCapture::Text() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const std::string& l : lines_) out += l + "\n";
  return out;
}

bool LogCapture::WaitFor(const std::string& needle, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Text().find(needle) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace sa::adapter::api::testing
