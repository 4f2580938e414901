#include "adapter/api/http/request_reader.h"

#include <gtest/gtest.h>

#include <cstring>

namespace sa::adapter::api {
namespace {

// Serves a string in pieces of `step` bytes, then end of stream (or a
// timeout when `then_timeout`).
class StringSource : public ByteSource {
 public:
  StringSource(std::string data, size_t step = 7, bool then_timeout = false)
      : data_(std::move(data)), step_(step), then_timeout_(then_timeout) {}
  long Read(char* buf, size_t n) override {
    if (pos_ >= data_.size()) return then_timeout_ ? kTimeout : 0;
    size_t take = std::min({n, step_, data_.size() - pos_});
    std::memcpy(buf, data_.data() + pos_, take);
    pos_ += take;
    return static_cast<long>(take);
  }

 private:
  std::string data_;
  size_t step_;
  bool then_timeout_;
  size_t pos_ = 0;
};

struct Parsed {
  std::optional<ReadError> error;
  RequestHead head;
  std::string body;
};

Parsed Parse(const std::string& wire, ServerLimits limits = {}, bool then_timeout = false) {
  StringSource source(wire, 7, then_timeout);
  BufferedReader in(&source);
  Parsed p;
  p.error = ReadRequestHead(in, limits, &p.head);
  if (!p.error) p.error = ReadRequestBody(in, p.head, limits, &p.body);
  return p;
}

int StatusOf(const std::string& wire, ServerLimits limits = {}) {
  Parsed p = Parse(wire, limits);
  return p.error ? p.error->status : 200;
}

TEST(HttpRequestReaderTest, ReadsAContentLengthRequest) {
  Parsed p = Parse(
      "POST /v1/x?a=1 HTTP/1.1\r\nHost: h\r\nContent-Type:  application/json \r\n"
      "Content-Length: 7\r\n\r\n{\"a\":1}");
  ASSERT_FALSE(p.error) << p.error->detail;
  EXPECT_EQ(p.head.method, "POST");
  EXPECT_EQ(p.head.target, "/v1/x?a=1");
  EXPECT_TRUE(p.head.keep_alive);
  EXPECT_EQ(p.head.headers[1],
            (std::pair<std::string, std::string>{"content-type", "application/json"}));
  EXPECT_EQ(p.body, "{\"a\":1}");
}

TEST(HttpRequestReaderTest, ReadsAChunkedBodyWithExtensionsAndTrailers) {
  Parsed p = Parse(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;ext=1\r\n{\"a\"\r\nA\r\n:1234567}\n\r\n0\r\nX-Trailer: t\r\n\r\n");
  ASSERT_FALSE(p.error) << p.error->detail;
  EXPECT_EQ(p.body, "{\"a\":1234567}\n");
}

TEST(HttpRequestReaderTest, LinesStraddlingReadsSurviveBufferCompaction) {
  // Thousands of pipelined requests: the buffer passes its compaction point
  // with a line cut across two reads, at many offsets.
  std::string wire;
  for (int i = 0; i < 5000; ++i)
    wire += "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: h\r\n\r\n";
  for (size_t step : {4093u, 16384u}) {
    StringSource source(wire, step);
    BufferedReader in(&source);
    for (int i = 0; i < 5000; ++i) {
      RequestHead head;
      std::optional<ReadError> error = ReadRequestHead(in, {}, &head);
      ASSERT_FALSE(error) << step << " " << i << ": " << error->detail;
      ASSERT_EQ(head.target, "/" + std::to_string(i)) << step;
    }
  }
  std::string chunked = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20000; ++i) chunked += "5\r\nabcde\r\n";
  Parsed p = Parse(chunked + "0\r\n\r\n");
  ASSERT_FALSE(p.error) << p.error->detail;
  EXPECT_EQ(p.body.size(), 100000u);
}

TEST(HttpRequestReaderTest, BodyLimitIsCheckedBeforeReadingAndWhileChunking) {
  ServerLimits limits;
  limits.max_body_bytes = 10;
  EXPECT_EQ(StatusOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", limits), 413);
  EXPECT_EQ(StatusOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789", limits),
            200);
  EXPECT_EQ(StatusOf("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "6\r\n012345\r\n5\r\n",  // stops before the 11th byte arrives
                     limits),
            413);
  EXPECT_EQ(StatusOf("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "fffffffffffffffff\r\n",
                     limits),
            400);
}

TEST(HttpRequestReaderTest, HeaderLimitsAre431AndUriLimitIs414) {
  ServerLimits limits;
  limits.max_header_count = 3;
  limits.max_header_line_bytes = 40;
  limits.max_uri_bytes = 20;
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", limits), 200);
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits), 431);
  EXPECT_EQ(
      StatusOf("GET / HTTP/1.1\r\nHost: h\r\nA: " + std::string(40, 'x') + "\r\n\r\n", limits),
      431);
  EXPECT_EQ(StatusOf("GET /" + std::string(20, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", limits), 414);
  EXPECT_EQ(StatusOf("GET /" + std::string(200, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", limits),
            414);
  EXPECT_EQ(StatusOf("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "0\r\nT1: 1\r\nT2: 2\r\n\r\n",
                     limits),
            431);  // trailers count with the headers
}

TEST(HttpRequestReaderTest, RefusesAmbiguousFraming) {
  EXPECT_EQ(StatusOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n"),
            400);
  EXPECT_EQ(
      StatusOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
      400);
  EXPECT_EQ(StatusOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
            501);
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n"), 400);  // folding
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: h\r\nHost: i\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: h\r\nAuthorization: a\r\nAuthorization: b\r\n\r\n"),
            400);
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\n\r\n"), 400);  // no Host
  EXPECT_EQ(StatusOf("GET / HTTP/2.0\r\nHost: h\r\n\r\n"), 505);
  EXPECT_EQ(StatusOf("GET http://x/ HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
  EXPECT_EQ(StatusOf("GET / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n"), 417);
}

TEST(HttpRequestReaderTest, ConnectionSemantics) {
  Parsed p = Parse("GET / HTTP/1.0\r\n\r\n");
  ASSERT_FALSE(p.error);
  EXPECT_FALSE(p.head.keep_alive);
  p = Parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n");
  EXPECT_FALSE(p.head.keep_alive);
  p = Parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(p.head.expect_continue);
}

TEST(HttpRequestReaderTest, EndOfStreamIsSilentAndSlownessIs408) {
  EXPECT_EQ(Parse("").error->status, 0);
  EXPECT_EQ(Parse("GET / HT").error->status, 0);  // the peer left mid-request
  EXPECT_EQ(Parse("GET / HT", {}, true).error->status, 408);
  EXPECT_EQ(
      Parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nab", {}, true).error->status,
      408);
}

TEST(HttpRequestReaderTest, PipelinedRequestsStayBuffered) {
  StringSource source("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n", 1000);
  BufferedReader in(&source);
  RequestHead head;
  ASSERT_FALSE(ReadRequestHead(in, {}, &head));
  EXPECT_EQ(head.target, "/a");
  EXPECT_TRUE(in.HasBuffered());
  ASSERT_FALSE(ReadRequestHead(in, {}, &head));
  EXPECT_EQ(head.target, "/b");
}

}  // namespace
}  // namespace sa::adapter::api
