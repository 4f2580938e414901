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
// version
int RunVersion(const std::vector<std::string>& args);

}  // namespace sa::adapter::cli

#endif  // SA_ADAPTER_CLI_COMMANDS_H_
