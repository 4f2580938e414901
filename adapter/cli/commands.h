// The command-line commands, one function each (contract §3).
#ifndef SA_ADAPTER_CLI_COMMANDS_H_
#define SA_ADAPTER_CLI_COMMANDS_H_

#include <string>
#include <vector>

namespace sa::adapter::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitUsage = 64;

// explain [--json] [--config C] SESSION.json...
int RunExplain(const std::vector<std::string>& args);
// config check C
int RunConfig(const std::vector<std::string>& args);
// demo [--examples DIR]
int RunDemo(const std::vector<std::string>& args);
// check-endpoint --config C
int RunCheckEndpoint(const std::vector<std::string>& args);
// intake --config C SESSION.json...
int RunIntake(const std::vector<std::string>& args);
// deliver --config C --until-idle
int RunDeliver(const std::vector<std::string>& args);
// outbox --config C list|retry|discard
int RunOutbox(const std::vector<std::string>& args);
// audit verify --config C
int RunAudit(const std::vector<std::string>& args);
// sync --config C [--once] [--interval SECONDS]
int RunSync(const std::vector<std::string>& args);
// keys generate | keys rotate --config C [--batch N]
int RunKeys(const std::vector<std::string>& args);
// version
int RunVersion(const std::vector<std::string>& args);
// serve --config C: the HTTP API (serve_command.cc).
int RunServe(const std::vector<std::string>& args);
// token issue ...: a signed API token for the demo and tests (token_command.cc).
int RunToken(const std::vector<std::string>& args);

}  // namespace sa::adapter::cli

#endif  // SA_ADAPTER_CLI_COMMANDS_H_
