#include "fhir/clock.h"

#include <thread>

namespace sa::fhir {
namespace {

class SystemClock : public Clock {
 public:
  std::chrono::system_clock::time_point Now() override {
    return std::chrono::system_clock::now();
  }
  void SleepFor(std::chrono::milliseconds duration) override {
    std::this_thread::sleep_for(duration);
  }
};

}  // namespace

Clock* RealClock() {
  static SystemClock* clock = new SystemClock();  // leaked on purpose: usable at exit
  return clock;
}

}  // namespace sa::fhir
