// A scripted HttpTransport for tests (of this layer and those above it):
// answers requests with queued responses or errors, or with a handler, and
// records every request it was sent.
#ifndef SA_FHIR_FAKE_TRANSPORT_H_
#define SA_FHIR_FAKE_TRANSPORT_H_

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "fhir/http.h"
#include "fhir/status.h"

namespace sa::fhir {

class FakeTransport : public HttpTransport {
 public:
  using Handler = std::function<StatusOr<HttpResponse>(const HttpRequest&)>;

  // Queues a response with `status`, `body` and optional headers.
  void Respond(int status, std::string body = {},
               std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    for (auto& [n, v] : headers) r.headers.Add(n, v);
    std::lock_guard<std::mutex> lock(mu_);
    script_.push_back(std::move(r));
  }
  // Queues a transport failure (e.g. Status::Unavailable for a timeout).
  void Fail(Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    script_.push_back(std::move(status));
  }
  // Answers every request the script does not cover.
  void SetHandler(Handler handler) {
    std::lock_guard<std::mutex> lock(mu_);
    handler_ = std::move(handler);
  }

  StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    Handler handler;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
      if (!script_.empty()) {
        StatusOr<HttpResponse> next = std::move(script_.front());
        script_.pop_front();
        return next;
      }
      handler = handler_;
    }
    if (handler) return handler(request);
    return Status::Internal("FakeTransport: no scripted response left");
  }

  // Every request sent so far, in order.
  std::vector<HttpRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  // Scripted answers not yet consumed.
  size_t pending() const {
    std::lock_guard<std::mutex> lock(mu_);
    return script_.size();
  }

 private:
  mutable std::mutex mu_;
  std::deque<StatusOr<HttpResponse>> script_;
  std::vector<HttpRequest> requests_;
  Handler handler_;
};

}  // namespace sa::fhir

#endif  // SA_FHIR_FAKE_TRANSPORT_H_
