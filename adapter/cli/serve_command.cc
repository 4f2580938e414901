// serve: the HTTP API with delivery and Task status sync in the background,
// until SIGTERM or SIGINT; then a graceful stop (contract §3).
#include <pthread.h>
#include <signal.h>

#include <iostream>

#include "adapter/api/http/log.h"
#include "adapter/api/service_host.h"
#include "adapter/cli/commands.h"
#include "adapter/core/runtime.h"

namespace sa::adapter::cli {

int RunServe(const std::vector<std::string>& args) {
  std::string config;
  api::HostOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config = args[++i];
    } else if (args[i] == "--listen" && i + 1 < args.size()) {
      options.listen_override = args[++i];
    } else if (args[i] == "--no-delivery") {
      options.deliver = false;
    } else if (args[i] == "--no-sync") {
      options.sync = false;
    } else {
      config.clear();
      break;
    }
  }
  if (config.empty()) {
    std::cerr << "usage: supervision-adapter serve --config C [--listen HOST:PORT] [--no-delivery] [--no-sync]\n";
    return kExitUsage;
  }
  // Block the stop signals in every thread (the server's threads inherit
  // this mask), then wait for them here.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto fail = [](const Status& s) {
    std::cerr << "serve: " << s.message() << "\n";
    return s.code() == StatusCode::kInvalidArgument ? kExitBadInput : kExitFailure;
  };
  auto rt = Runtime::Open(config);
  if (!rt.ok()) return fail(rt.status());
  auto host = api::ServiceHost::Start(rt->get(), options);
  if (!host.ok()) return fail(host.status());
  // One line on stdout for whoever started us (the port when listen asked for 0).
  std::cout << nlohmann::json{{"event", "listening"}, {"url", (*host)->base_url()}}.dump() << "\n"
            << std::flush;
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  api::LogJson("info", "", {{"event", "stopping"}, {"signal", signal_number}});
  (*host)->Stop();
  return kExitOk;
}

}  // namespace sa::adapter::cli
