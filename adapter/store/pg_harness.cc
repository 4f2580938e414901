#include "adapter/store/pg_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "adapter/store/poco_db.h"

namespace sa::adapter::store {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr auto kStartTimeout = std::chrono::seconds(30);  // initdb done; a cold start is ~1 s
constexpr auto kStopTimeout = std::chrono::seconds(15);
constexpr int kStartAttempts = 3;  // a free port can be taken between probe and bind

bool IsExecutable(const fs::path& p) { return ::access(p.c_str(), X_OK) == 0; }

bool HasServer(const fs::path& bin) {
  return IsExecutable(bin / "initdb") && IsExecutable(bin / "postgres") &&
         IsExecutable(bin / "pg_ctl");
}

StatusOr<std::string> FindBinDir() {
  if (const char* env = std::getenv("SA_PG_BINDIR"); env != nullptr && *env != '\0') {
    if (HasServer(env)) return std::string(env);
    return Status::FailedPrecondition(std::string("SA_PG_BINDIR=") + env +
                                      " has no initdb, postgres and pg_ctl");
  }
  std::string best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version && HasServer(entry.path() / "bin")) {
      best_version = version;
      best = (entry.path() / "bin").string();
    }
  }
  if (best.empty()) {
    return Status::FailedPrecondition(
        "PostgreSQL server binaries (initdb, postgres, pg_ctl) not found under "
        "/usr/lib/postgresql/*/bin (or $SA_PG_BINDIR); the PostgreSQL tests need a real "
        "server: install the Debian package 'postgresql' (apt-get install postgresql)");
  }
  return best;
}

std::string Tail(const std::string& path) {
  constexpr std::size_t kTail = 1500;  // the last lines say why
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > kTail ? "..." + s.substr(s.size() - kTail) : s;
}

StatusOr<int> FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Internal("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  if (port <= 0) return Status::Internal("no free port on 127.0.0.1");
  return port;
}

struct Identity {
  bool drop = false;  // switch to uid/gid in the child
  uid_t uid = 0;
  gid_t gid = 0;
};

// Forks and runs argv (argv[0] a full path) in `cwd` as `who`, stdout and
// stderr appended to `log`. With `die_with_parent` the child gets SIGQUIT
// (PostgreSQL's immediate shutdown) if this process dies first.
StatusOr<pid_t> Spawn(const std::vector<std::string>& argv, const std::string& cwd,
                      const std::string& log, const Identity& who, bool die_with_parent) {
  // Everything the child needs is prepared before fork: after it, only
  // async-signal-safe calls.
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings = {"PATH=/usr/bin:/bin", "LC_ALL=C", "LANG=C", "TZ=UTC",
                                          "HOME=" + cwd};
  std::vector<char*> env;
  env.reserve(env_strings.size() + 1);
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0) return Status::Internal("cannot open " + log);
  if (who.drop) (void)::fchown(log_fd, who.uid, who.gid);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    ::close(null_fd);
    return Status::Internal("fork failed");
  }
  if (pid == 0) {
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    for (int fd = 3; fd < 1024; ++fd) ::close(fd);  // no test sockets or files in the server
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    if (who.drop &&
        (::setgroups(0, nullptr) != 0 || ::setgid(who.gid) != 0 || ::setuid(who.uid) != 0)) {
      ::_exit(125);
    }
    // After setuid, which clears the parent-death signal.
    if (die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGQUIT);
      if (::getppid() != parent) ::_exit(124);
    }
    ::execve(args[0], args.data(), env.data());
    ::_exit(127);
  }
  ::close(log_fd);
  ::close(null_fd);
  return pid;
}

// Waits for `pid` and returns its exit code (128+signal if killed).
int WaitExit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

Status RunToCompletion(const std::vector<std::string>& argv, const std::string& cwd,
                       const std::string& log, const Identity& who) {
  SA_ASSIGN_OR_RETURN(pid_t pid, Spawn(argv, cwd, log, who, /*die_with_parent=*/false));
  int code = WaitExit(pid);
  if (code == 0) return Status::Ok();
  std::string why = code == 125 ? " (could not switch to the unprivileged user)" : "";
  return Status::Internal(fs::path(argv[0]).filename().string() + " exited with " +
                          std::to_string(code) + why + "; log " + log + ":\n" + Tail(log));
}

// True once postmaster.pid's status line says the server accepts connections.
bool ServerReady(const std::string& data_dir) {
  std::ifstream in(data_dir + "/postmaster.pid");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("ready", 0) == 0) return true;
  }
  return false;
}

Identity ServerIdentity(Status* error) {
  Identity who;
  if (::geteuid() != 0) return who;
  const passwd* pw = ::getpwnam("nobody");
  if (pw == nullptr) {
    *error = Status::FailedPrecondition(
        "running as root, and PostgreSQL refuses root; no user 'nobody' to run it as");
    return who;
  }
  who.drop = true;
  who.uid = pw->pw_uid;
  who.gid = pw->pw_gid;
  return who;
}

// Removes directories of earlier harnesses whose test process died before it
// could clean up (its server got SIGQUIT and left ~40 MB behind). A directory
// counts as abandoned when it belongs to the server user, has no running
// postmaster and has not been touched for a while (so a harness still in
// initdb elsewhere is left alone).
void SweepAbandoned(const std::string& base, const Identity& who) {
  constexpr auto kAbandonedAfter = std::chrono::minutes(10);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    const std::string name = entry.path().filename().string();
    struct stat st {};
    if (name.rfind("sa-pg-", 0) != 0 || name.size() != 12 ||
        ::lstat(entry.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
        st.st_uid != (who.drop ? who.uid : ::geteuid())) {
      continue;
    }
    auto age =
        std::chrono::system_clock::now() - std::chrono::system_clock::from_time_t(st.st_mtime);
    if (age < kAbandonedAfter) continue;
    std::ifstream pid_file(entry.path() / "data" / "postmaster.pid");
    long pid = 0;
    if (pid_file >> pid && pid > 0 && ::kill(static_cast<pid_t>(pid), 0) == 0) continue;
    fs::remove_all(entry.path(), ec);
  }
}

}  // namespace

StatusOr<std::unique_ptr<PgHarness>> PgHarness::Start(const PgHarnessOptions& options) {
  std::unique_ptr<PgHarness> h(new PgHarness());
  h->durable_ = options.durable;
  SA_ASSIGN_OR_RETURN(h->bin_dir_, FindBinDir());
  Status error;
  Identity who = ServerIdentity(&error);
  SA_RETURN_IF_ERROR(error);
  h->drop_privileges_ = who.drop;
  h->uid_ = who.uid;
  h->gid_ = who.gid;

  // Under root, /tmp rather than $TMPDIR: `nobody` must be able to reach it.
  const char* tmp = std::getenv("TMPDIR");
  std::string base = (who.drop || tmp == nullptr || *tmp == '\0') ? "/tmp" : tmp;
  SweepAbandoned(base, who);
  std::string pattern = base + "/sa-pg-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::Internal("cannot create a temporary directory under " + base);
  }
  h->dir_ = pattern;
  if (who.drop && ::chown(h->dir_.c_str(), who.uid, who.gid) != 0) {
    return Status::Internal("cannot give " + h->dir_ + " to user nobody");
  }
  ::chmod(h->dir_.c_str(), 0700);

  SA_RETURN_IF_ERROR(
      RunToCompletion({h->bin_dir_ + "/initdb", "-D", h->dir_ + "/data", "-U", "postgres", "-A",
                       "trust", "-E", "UTF8", "--locale=C", "--no-sync"},
                      h->dir_, h->dir_ + "/initdb.log", who));
  {
    // Trust, but only over the unix socket in our private directory and loopback.
    std::ofstream hba(h->dir_ + "/data/pg_hba.conf", std::ios::trunc);
    hba << "local all all trust\nhost all all 127.0.0.1/32 trust\n";
    if (!hba) return Status::Internal("cannot write pg_hba.conf");
  }
  SA_RETURN_IF_ERROR(h->Launch());
  return h;
}

Status PgHarness::Launch() {
  Identity who{drop_privileges_, uid_, gid_};
  std::string data = dir_ + "/data";
  std::string log = dir_ + "/server.log";
  Status last;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    SA_ASSIGN_OR_RETURN(int port, FreeLoopbackPort());
    std::vector<std::string> argv = {bin_dir_ + "/postgres", "-D", data, "-p", std::to_string(port),
                                     "-h", "127.0.0.1", "-k", dir_, "-c", "shared_buffers=16MB",
                                     "-c", "max_connections=50"};
    if (!durable_) {
      // Durability off: a test server's data is thrown away anyway.
      argv.insert(argv.end(), {"-c", "fsync=off", "-c", "synchronous_commit=off", "-c",
                               "full_page_writes=off"});
    }
    SA_ASSIGN_OR_RETURN(pid_t pid, Spawn(argv, dir_, log, who, /*die_with_parent=*/true));
    auto deadline = steady_clock::now() + kStartTimeout;
    bool exited = false;
    while (steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        break;
      }
      if (ServerReady(data)) {
        server_pid_ = pid;
        port_ = port;
        conninfo_ =
            "host=127.0.0.1 port=" + std::to_string(port) + " dbname=postgres user=postgres";
        return Status::Ok();
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    if (!exited) {
      ::kill(pid, SIGKILL);
      WaitExit(pid);
      return Status::Internal("PostgreSQL did not start within 30 s; log " + log + ":\n" +
                              Tail(log));
    }
    last = Status::Internal("PostgreSQL exited at start-up; log " + log + ":\n" + Tail(log));
    if (Tail(log).find("could not bind") == std::string::npos) return last;  // not a port race
  }
  return last;
}

void PgHarness::Stop() {
  if (server_pid_ <= 0) return;
  Identity who{drop_privileges_, uid_, gid_};
  (void)RunToCompletion({bin_dir_ + "/pg_ctl", "stop", "-D", dir_ + "/data", "-m", "fast", "-w"},
                        dir_, dir_ + "/pg_ctl.log", who);
  auto deadline = steady_clock::now() + kStopTimeout;
  int status = 0;
  while (::waitpid(server_pid_, &status, WNOHANG) == 0) {
    if (steady_clock::now() > deadline) {
      ::kill(server_pid_, SIGKILL);
      WaitExit(server_pid_);
      break;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  server_pid_ = -1;
}

PgHarness::~PgHarness() {
  Stop();
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

StatusOr<std::string> PgHarness::CreateDatabase() {
  std::string name = "test_" + std::to_string(++databases_);
  SA_ASSIGN_OR_RETURN(std::unique_ptr<Database> admin, OpenPostgres(conninfo_));
  SA_ASSIGN_OR_RETURN(std::unique_ptr<DbSession> session, admin->Connect());
  SA_RETURN_IF_ERROR(session->Exec("CREATE DATABASE " + name).status());
  return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + name + " user=postgres";
}

StatusOr<std::string> PgHarness::CreateSchema() {
  std::string name = "test_" + std::to_string(++schemas_);
  SA_ASSIGN_OR_RETURN(std::unique_ptr<Database> admin, OpenPostgres(conninfo_));
  SA_ASSIGN_OR_RETURN(std::unique_ptr<DbSession> session, admin->Connect());
  SA_RETURN_IF_ERROR(session->Exec("CREATE SCHEMA " + name).status());
  // No spaces: Poco splits conninfo on them.
  return conninfo_ + " options=-csearch_path=" + name;
}

}  // namespace sa::adapter::store
