// Settings of the outbox delivery worker (config "/delivery").
#ifndef SA_ADAPTER_CORE_OUTBOX_OPTIONS_H_
#define SA_ADAPTER_CORE_OUTBOX_OPTIONS_H_

#include <chrono>
#include <string>

namespace sa::adapter {

struct OutboxOptions {
  std::string owner;                               // this worker's lease name (unique)
  int batch = 16;                                  // rows leased per pass
  std::chrono::milliseconds lease{60'000};         // a lease expires after this
  int max_attempts = 8;                            // then: dead letter
  std::chrono::milliseconds max_age{72LL * 3600 * 1000};  // then: dead letter
  std::chrono::milliseconds backoff_base{1'000};   // first retry ceiling
  std::chrono::milliseconds backoff_cap{600'000};  // longest wait between tries
};

}  // namespace sa::adapter

#endif  // SA_ADAPTER_CORE_OUTBOX_OPTIONS_H_
