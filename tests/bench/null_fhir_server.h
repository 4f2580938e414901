// A null FHIR endpoint for the delivery benchmarks: a minimal HTTP/1.1
// server on 127.0.0.1 that answers at once with canned FHIR JSON, so the
// EHR is never the bottleneck and what is measured is the client side.
//
//   POST [base]           transaction-response with one "200 OK" entry per
//                         request entry (counted, not parsed)
//   GET  [base]/Patient?… searchset with exactly one Patient
//   GET  [base]/<other>?… empty searchset
//   PUT  [base]/Type?…    200 with a Location (the naive client's writes)
//   POST [base]/Type      201 with a Location
//
// It stores nothing and validates nothing. Keep-alive, Content-Length bodies
// only (what cpprest sends), one thread per connection, Nagle off.
// It runs in a child process so its memory and threads stay out of the
// measured process.
#ifndef SA_TESTS_BENCH_NULL_FHIR_SERVER_H_
#define SA_TESTS_BENCH_NULL_FHIR_SERVER_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "fhir/status.h"

namespace sa::bench {

// The FHIR base path the server answers under.
inline constexpr char kNullFhirBasePath[] = "/fhir/R4";

class NullFhirServer {
 public:
  // Binds 127.0.0.1 on a free port and forks a child serving it until this
  // object is destroyed (or this process dies). Call it before this process
  // starts any thread: the child keeps only the forking thread.
  static StatusOr<std::unique_ptr<NullFhirServer>> Fork();
  ~NullFhirServer();
  NullFhirServer(const NullFhirServer&) = delete;
  NullFhirServer& operator=(const NullFhirServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + kNullFhirBasePath; }

 private:
  NullFhirServer() = default;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace sa::bench

#endif  // SA_TESTS_BENCH_NULL_FHIR_SERVER_H_
