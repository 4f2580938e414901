#include "adapter/api/http/request_reader.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "adapter/api/http/ascii.h"

namespace sa::adapter::api {
namespace {

// Bytes asked of the source per read.
constexpr std::size_t kReadChunkBytes = 16 << 10;
// Consumed bytes kept at the front of the buffer before it is compacted.
constexpr std::size_t kCompactAfterBytes = 64 << 10;
// Room on the request line besides the target: method, spaces, "HTTP/1.1".
constexpr std::size_t kRequestLineOverhead = 64;
// Longest method token accepted.
constexpr std::size_t kMaxMethodBytes = 32;
// Empty lines tolerated before a request line (RFC 9112 section 2.2).
constexpr int kMaxLeadingEmptyLines = 4;
// Longest chunk-size line (size and any extensions).
constexpr std::size_t kMaxChunkLineBytes = 1024;
// Hex digits in a chunk size: 15 keeps the value far from overflow.
constexpr std::size_t kMaxChunkSizeDigits = 15;

using Result = BufferedReader::Result;

ReadError Error(int status, std::string detail) { return ReadError{status, std::move(detail)}; }

// The error for a read that stopped mid-request: the peer left (nothing to
// answer) or went quiet (408).
ReadError Interrupted(Result r) {
  if (r == Result::kTimeout) return Error(408, "the request did not arrive in time");
  return Error(0, "");
}

bool ValidFieldValue(std::string_view v) {
  for (unsigned char c : v) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

bool ValidTarget(std::string_view t) {
  for (unsigned char c : t) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

// The comma-separated elements of a list header, trimmed and lower-cased.
std::vector<std::string> ListElements(std::string_view v) {
  std::vector<std::string> out;
  while (true) {
    size_t comma = v.find(',');
    std::string_view e = TrimOws(v.substr(0, comma));
    if (!e.empty()) out.push_back(AsciiLower(e));
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return out;
}

// Applies the framing and connection headers to `head`.
std::optional<ReadError> Interpret(const ServerLimits& limits, RequestHead* head) {
  static const char* const kSingletons[] = {"host", "authorization", "content-type",
                                            "transfer-encoding"};
  for (const char* name : kSingletons) {
    long n = std::count_if(head->headers.begin(), head->headers.end(),
                           [&](const auto& h) { return h.first == name; });
    if (n > 1) return Error(400, std::string("more than one ") + name + " header");
  }
  bool has_host = false, has_length = false, has_te = false;
  std::string length_value;
  for (const auto& [name, value] : head->headers) {
    if (name == "host") {
      has_host = true;
    } else if (name == "content-length") {
      if (has_length && value != length_value) return Error(400, "conflicting Content-Length");
      has_length = true;
      length_value = value;
    } else if (name == "transfer-encoding") {
      has_te = true;
      std::vector<std::string> codings = ListElements(value);
      if (codings != std::vector<std::string>{"chunked"}) {
        return Error(501, "only the chunked transfer coding is supported");
      }
      head->chunked = true;
    } else if (name == "connection") {
      for (const std::string& option : ListElements(value)) {
        if (option == "close") head->keep_alive = false;
        if (option == "keep-alive" && head->minor_version == 0) head->keep_alive = true;
      }
    } else if (name == "expect") {
      if (AsciiLower(value) != "100-continue") return Error(417, "only 100-continue is supported");
      head->expect_continue = true;
    }
  }
  if (head->minor_version == 1 && !has_host) return Error(400, "the Host header is missing");
  if (has_te && has_length) return Error(400, "both Content-Length and Transfer-Encoding");
  if (has_te && head->minor_version == 0) return Error(400, "Transfer-Encoding in HTTP/1.0");
  if (has_length) {
    if (length_value.empty() || length_value.size() > 18 ||
        length_value.find_first_not_of("0123456789") != std::string::npos) {
      return Error(400, "Content-Length is not a number");
    }
    head->content_length = std::stoull(length_value);
    if (head->content_length > limits.max_body_bytes) {
      return Error(413,
                   "the body is larger than " + std::to_string(limits.max_body_bytes) + " bytes");
    }
  }
  return std::nullopt;
}

// Reads header (or trailer) field lines up to the empty line.
std::optional<ReadError> ReadFields(BufferedReader& in, const ServerLimits& limits,
                                    std::size_t already, NameValueList* fields) {
  std::string line;
  std::size_t count = already;
  while (true) {
    Result r = in.ReadLine(&line, limits.max_header_line_bytes);
    if (r == Result::kTooLong) return Error(431, "a header line is longer than the limit");
    if (r != Result::kOk) return Interrupted(r);
    if (line.empty()) return std::nullopt;
    if (++count > limits.max_header_count) return Error(431, "too many header fields");
    if (line[0] == ' ' || line[0] == '\t') return Error(400, "obsolete header line folding");
    size_t colon = line.find(':');
    if (colon == std::string::npos || !IsToken(std::string_view(line).substr(0, colon))) {
      return Error(400, "a malformed header line");
    }
    std::string_view value = TrimOws(std::string_view(line).substr(colon + 1));
    if (!ValidFieldValue(value)) return Error(400, "a control character in a header value");
    if (fields) fields->emplace_back(AsciiLower(line.substr(0, colon)), std::string(value));
  }
}

}  // namespace

Result BufferedReader::Fill() {
  if (pos_ >= kCompactAfterBytes) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  char tmp[kReadChunkBytes];
  long n = source_->Read(tmp, sizeof(tmp));
  if (n > 0) {
    any_read_ = true;
    buf_.append(tmp, static_cast<size_t>(n));
    return Result::kOk;
  }
  if (n == 0) return Result::kEof;
  return n == ByteSource::kTimeout ? Result::kTimeout : Result::kError;
}

Result BufferedReader::ReadLine(std::string* line, std::size_t max) {
  size_t scanned = 0;  // bytes after pos_ known to hold no LF (Fill may move pos_)
  while (true) {
    size_t lf = buf_.find('\n', pos_ + scanned);
    if (lf != std::string::npos) {
      size_t end = lf;
      if (end > pos_ && buf_[end - 1] == '\r') --end;
      if (end - pos_ > max) return Result::kTooLong;
      line->assign(buf_, pos_, end - pos_);
      pos_ = lf + 1;
      return Result::kOk;
    }
    scanned = buf_.size() - pos_;
    if (scanned > max + 1) return Result::kTooLong;  // + 1: a CR may follow
    Result r = Fill();
    if (r != Result::kOk) return r;
  }
}

Result BufferedReader::ReadExact(std::size_t n, std::string* out) {
  while (buf_.size() - pos_ < n) {
    // Large bodies: hand over what is buffered, then read straight on.
    size_t have = buf_.size() - pos_;
    out->append(buf_, pos_, have);
    n -= have;
    buf_.clear();
    pos_ = 0;
    Result r = Fill();
    if (r != Result::kOk) return r;
  }
  out->append(buf_, pos_, n);
  pos_ += n;
  return Result::kOk;
}

Result BufferedReader::Discard(std::size_t n, std::size_t* discarded) {
  *discarded = 0;
  if (!HasBuffered()) {
    Result r = Fill();
    if (r != Result::kOk) return r;
  }
  size_t take = std::min(n, buf_.size() - pos_);
  pos_ += take;
  *discarded = take;
  return Result::kOk;
}

std::optional<ReadError> ReadRequestHead(BufferedReader& in, const ServerLimits& limits,
                                         RequestHead* head) {
  *head = RequestHead();
  std::string line;
  for (int empty = 0;; ++empty) {
    Result r = in.ReadLine(&line, limits.max_uri_bytes + kRequestLineOverhead);
    if (r == Result::kTooLong) return Error(414, "the request line is longer than the limit");
    if (r == Result::kTimeout && in.HasBuffered()) return Interrupted(r);
    if (r != Result::kOk) return Error(0, "");
    if (!line.empty()) break;
    if (empty >= kMaxLeadingEmptyLines) return Error(400, "empty lines instead of a request");
  }
  size_t sp1 = line.find(' ');
  size_t sp2 = line.rfind(' ');
  if (sp1 == std::string::npos || sp1 == sp2) return Error(400, "a malformed request line");
  head->method = line.substr(0, sp1);
  head->target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string version = line.substr(sp2 + 1);
  if (!IsToken(head->method) || head->method.size() > kMaxMethodBytes) {
    return Error(400, "a malformed method");
  }
  if (version == "HTTP/1.1") {
    head->minor_version = 1;
  } else if (version == "HTTP/1.0") {
    head->minor_version = 0;
    head->keep_alive = false;
  } else if (version.rfind("HTTP/", 0) == 0) {
    return Error(505, "only HTTP/1.0 and HTTP/1.1 are supported");
  } else {
    return Error(400, "a malformed request line");
  }
  if (head->target.size() > limits.max_uri_bytes) {
    return Error(414, "the request target is longer than the limit");
  }
  if (head->target.empty() || head->target[0] != '/' || !ValidTarget(head->target)) {
    return Error(400, "the request target must be an absolute path");
  }
  if (auto e = ReadFields(in, limits, 0, &head->headers)) return e;
  return Interpret(limits, head);
}

std::optional<ReadError> ReadRequestBody(BufferedReader& in, const RequestHead& head,
                                         const ServerLimits& limits, std::string* body) {
  body->clear();
  if (!head.chunked) {
    if (head.content_length == 0) return std::nullopt;
    body->reserve(head.content_length);
    Result r = in.ReadExact(head.content_length, body);
    if (r != Result::kOk) return Interrupted(r);
    return std::nullopt;
  }
  std::string line;
  while (true) {
    Result r = in.ReadLine(&line, kMaxChunkLineBytes);
    if (r == Result::kTooLong) return Error(400, "a chunk-size line is too long");
    if (r != Result::kOk) return Interrupted(r);
    size_t digits = 0;
    std::size_t size = 0;
    while (digits < line.size() && std::isxdigit(static_cast<unsigned char>(line[digits]))) {
      char c = line[digits];
      size = size * 16 + static_cast<std::size_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
      if (++digits > kMaxChunkSizeDigits) return Error(400, "a chunk size is too large");
    }
    std::string_view rest = TrimOws(std::string_view(line).substr(digits));
    if (digits == 0 || (!rest.empty() && rest[0] != ';'))
      return Error(400, "a malformed chunk size");
    if (size == 0) break;
    if (size > limits.max_body_bytes - body->size()) {
      return Error(413,
                   "the body is larger than " + std::to_string(limits.max_body_bytes) + " bytes");
    }
    r = in.ReadExact(size, body);
    if (r != Result::kOk) return Interrupted(r);
    r = in.ReadLine(&line, 0);
    if (r == Result::kTooLong || (r == Result::kOk && !line.empty())) {
      return Error(400, "a chunk is longer than its size");
    }
    if (r != Result::kOk) return Interrupted(r);
  }
  // Trailer fields: limited like headers, then dropped (nothing uses them).
  return ReadFields(in, limits, head.headers.size(), nullptr);
}

}  // namespace sa::adapter::api
