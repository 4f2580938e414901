// Reading one HTTP/1.1 request off a connection, with every limit enforced
// while reading (not after): the request line against the URI limit, each
// header line and the header count, the body against Content-Length up front
// and, for chunked bodies, as the chunks arrive. Poco-free: the bytes come
// from a ByteSource, so the parser is tested without sockets.
#ifndef SA_ADAPTER_API_HTTP_REQUEST_READER_H_
#define SA_ADAPTER_API_HTTP_REQUEST_READER_H_

#include <cstddef>
#include <optional>
#include <string>

#include "adapter/api/http/http_types.h"
#include "adapter/api/http/limits.h"

namespace sa::adapter::api {

// Where request bytes come from (the socket, or a string in tests).
class ByteSource {
 public:
  static constexpr long kTimeout = -1;  // nothing arrived in time
  static constexpr long kError = -2;    // reset, TLS failure...

  virtual ~ByteSource() = default;
  // Reads up to `n` bytes into `buf`: the count (> 0), 0 at end of stream,
  // kTimeout or kError.
  virtual long Read(char* buf, std::size_t n) = 0;
};

// Buffers a ByteSource and reads lines and exact byte counts from it.
class BufferedReader {
 public:
  enum class Result { kOk, kTooLong, kEof, kTimeout, kError };

  explicit BufferedReader(ByteSource* source) : source_(source) {}

  // One line ending in LF (a CR before it is dropped), without the line end;
  // kTooLong when `max` bytes pass without one.
  Result ReadLine(std::string* line, std::size_t max);
  // Exactly `n` bytes appended to `out`.
  Result ReadExact(std::size_t n, std::string* out);
  // Up to `n` buffered or newly read bytes, discarded (lingering close).
  Result Discard(std::size_t n, std::size_t* discarded);
  // True when bytes are buffered but not yet read (a pipelined request).
  bool HasBuffered() const { return pos_ < buf_.size(); }
  // True once any byte was ever read.
  bool AnyRead() const { return any_read_; }

 private:
  Result Fill();

  ByteSource* source_;
  std::string buf_;
  std::size_t pos_ = 0;
  bool any_read_ = false;
};

struct RequestHead {
  std::string method;
  std::string target;     // raw
  int minor_version = 1;  // HTTP/1.minor
  NameValueList headers;  // names lower-cased
  bool chunked = false;
  std::size_t content_length = 0;
  bool keep_alive = true;        // HTTP/1.1 default, or Connection: keep-alive on 1.0
  bool expect_continue = false;  // "Expect: 100-continue"
};

// Why a request could not be read. status 0: nothing to answer (the peer
// closed or went quiet before sending a request); otherwise the response to
// send (400, 408, 413, 414, 417, 431, 501, 505) before closing the connection.
struct ReadError {
  int status = 0;
  std::string detail;
};

// Reads the request line and headers. Nullopt on success (the head is
// filled); the error otherwise. Also refuses what would let a request be
// read two ways (both Content-Length and Transfer-Encoding, differing
// Content-Lengths, obsolete line folding, duplicate Host, Authorization or
// Content-Type) and a Content-Length over the body limit (413, before any
// body byte is read).
std::optional<ReadError> ReadRequestHead(BufferedReader& in, const ServerLimits& limits,
                                         RequestHead* head);

// Reads the body the head announced into *body (de-chunked; trailer fields
// are read, counted against the header limits, and dropped).
std::optional<ReadError> ReadRequestBody(BufferedReader& in, const RequestHead& head,
                                         const ServerLimits& limits, std::string* body);

}  // namespace sa::adapter::api

#endif  // SA_ADAPTER_API_HTTP_REQUEST_READER_H_
