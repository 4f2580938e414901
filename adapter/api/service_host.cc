#include "adapter/api/service_host.h"

#include <cstdio>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <unistd.h>

#include <openssl/rand.h>

#include "adapter/api/api.h"
#include "adapter/api/http/log.h"
#include "adapter/api/http/server.h"
#include "adapter/auth/request_credentials.h"
#include "adapter/core/intake.h"
#include "adapter/core/outbox.h"
#include "adapter/ehr_connection.h"
#include "adapter/service/session_service.h"
#include "adapter/sync/task_sync.h"
#include "fhir/clock.h"

namespace sa::adapter::api {

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The rate-limit key: the authenticated caller (a valid token's issuer and
// subject, or a verified client certificate), so callers sharing an address
// are told apart; anything else — no token, or one that does not verify —
// shares its remote address's bucket, so inventing tokens gains nothing.
std::string ClientKey(const auth::JwtValidator* validator, const HttpRequest& request) {
  if (!request.client_cert_subject.empty()) return "cert:" + request.client_cert_subject;
  if (auto header = request.Header("authorization"); header && validator != nullptr) {
    if (auto token = auth::BearerToken(*header)) {
      auto principal = validator->Validate(*token);
      if (principal.ok()) return "sub:" + principal->issuer + "/" + principal->subject;
    }
  }
  return "ip:" + request.remote_address;
}

// A lease owner unique across hosts and restarts: host, pid, random.
std::string WorkerName() {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  unsigned char r[4] = {0};
  RAND_bytes(r, sizeof r);
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
  return std::string("serve-") + host + "-" + std::to_string(::getpid()) + "-" + suffix;
}

// A count from the store for a gauge; -1 when the store does not answer.
double CountOf(store::Database* db, const std::string& sql) {
  auto s = db->Connect();
  if (!s.ok()) return -1;
  auto rows = (*s)->Query(sql);
  if (!rows.ok() || rows->empty()) return -1;
  auto v = store::AsInt((*rows)[0][0]);
  return v.ok() ? static_cast<double>(*v) : -1;
}

}  // namespace

struct ServiceHost::Impl {
  Runtime* rt = nullptr;
  HostOptions options;
  std::unique_ptr<IntakeService> intake;
  std::unique_ptr<service::SessionService> sessions;
  std::unique_ptr<auth::JwtValidator> validator;
  MetricsRegistry registry;
  std::unique_ptr<ApiMetrics> metrics;
  Histogram* delivery_latency = nullptr;
  Counter* delivered = nullptr;
  ApiContext context;
  Router router;
  std::unique_ptr<HttpServer> server;

  std::unique_ptr<EhrConnection> delivery_ehr, sync_ehr, ready_ehr;
  std::thread delivery_thread, sync_thread;
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::condition_variable wake;
  bool stopped = false;

  // Readiness of the FHIR endpoint, cached briefly (each check is a request).
  std::mutex ready_mu;
  int64_t ready_checked_ms = 0;
  Status ready_status;

  Status Readiness();
  void DeliveryLoop();
  void ObserveDeliveries(int64_t* since_ms);
};

Status ServiceHost::Impl::Readiness() {
  auto db = rt->db->Connect();
  if (!db.ok()) return Status::Unavailable("store: not reachable");
  if (!(*db)->Query("SELECT 1").ok()) return Status::Unavailable("store: not answering");
  if (!ready_ehr) return Status::Ok();
  std::lock_guard<std::mutex> lock(ready_mu);
  constexpr int64_t kReadyCacheMs = 5'000;
  if (NowMs() - ready_checked_ms > kReadyCacheMs) {
    auto caps = ready_ehr->client().ReadCapabilities();
    ready_status = caps.ok() ? Status::Ok() : Status::Unavailable("FHIR endpoint: not reachable");
    ready_checked_ms = NowMs();
  }
  return ready_status;
}

void ServiceHost::Impl::ObserveDeliveries(int64_t* since_ms) {
  auto db = rt->db->Connect();
  if (!db.ok()) return;
  auto rows = (*db)->Query(
      "SELECT delivered_at, created_at FROM outbox WHERE state = 'delivered' AND delivered_at > ?"
      " ORDER BY delivered_at",
      {*since_ms});
  if (!rows.ok()) return;
  for (const auto& r : *rows) {
    auto d = store::AsInt(r[0]);
    auto c = store::AsInt(r[1]);
    if (!d.ok() || !c.ok()) continue;
    delivery_latency->Observe({}, static_cast<double>(*d - *c) / 1000.0);
    delivered->Inc();
    *since_ms = std::max(*since_ms, *d);
  }
}

void ServiceHost::Impl::DeliveryLoop() {
  OutboxOptions outbox = rt->config.outbox;
  if (outbox.owner.empty()) outbox.owner = WorkerName();
  OutboxWorker worker(rt->db.get(), &delivery_ehr->client(), &rt->config.fhir->mapping,
                      rt->catalog.get(), outbox);
  int64_t since = NowMs();
  const auto idle = std::chrono::milliseconds(rt->config.api.delivery_poll_ms);
  while (!stop.load()) {
    auto pass = worker.RunOnce();
    if (!pass.ok()) {
      LogJson("error", "", {{"event", "delivery-pass-failed"}, {"code", StatusCodeName(pass.status().code())}});
    }
    ObserveDeliveries(&since);
    if (pass.ok() && pass->leased > 0) continue;
    std::unique_lock<std::mutex> lock(mu);
    wake.wait_for(lock, idle, [&] { return stop.load(); });
  }
}

ServiceHost::ServiceHost(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ServiceHost::~ServiceHost() { Stop(); }

StatusOr<std::unique_ptr<ServiceHost>> ServiceHost::Start(Runtime* rt, HostOptions options) {
  if (rt == nullptr || !rt->vault) return Status::InvalidArgument("serve needs the store and keys");
  auto impl = std::make_unique<Impl>();
  Impl& h = *impl;
  h.rt = rt;
  h.options = options;
  const Config& cfg = rt->config;
  IntakeOptions io;
  io.max_record_bytes = cfg.max_record_bytes;
  if (cfg.fhir) io.mapping = cfg.fhir->mapping;
  h.intake = std::make_unique<IntakeService>(rt->db.get(), rt->catalog.get(), rt->vault.get(), io);
  h.sessions = std::make_unique<service::SessionService>(rt->db.get(), rt->catalog.get(),
                                                         rt->vault.get(), h.intake.get());
  if (!cfg.api.auth.issuers.empty()) {
    SA_ASSIGN_OR_RETURN(h.validator, auth::JwtValidator::Create(cfg.api.auth, fhir::RealClock()));
  }
  h.metrics = std::make_unique<ApiMetrics>(h.registry);
  h.delivery_latency = &h.registry.AddHistogram(
      "sa_delivery_latency_seconds", "Time from queueing a plan to the EHR accepting it",
      {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600});
  h.delivered = &h.registry.AddCounter("sa_delivered_total", "Plans the EHR accepted");
  store::Database* db = rt->db.get();
  h.registry.AddGaugeCallback("sa_outbox_depth", "Plans waiting for delivery", [db] {
    return CountOf(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM outbox WHERE state = 'pending'");
  });
  h.registry.AddGaugeCallback("sa_outbox_dead_letters", "Plans in dead letter", [db] {
    return CountOf(db, "SELECT CAST(COUNT(*) AS BIGINT) FROM outbox WHERE state = 'dead'");
  });
  h.registry.AddGaugeCallback("sa_sync_lag_seconds",
                              "Seconds since the Task status watermark (RS-11)", [db] {
                                auto s = db->Connect();
                                if (!s.ok()) return -1.0;
                                auto rows = (*s)->Query("SELECT value FROM sync_state WHERE name = ?",
                                                        {std::string(kTaskSyncWatermark)});
                                if (!rows.ok() || rows->empty()) return -1.0;
                                auto text = store::AsText((*rows)[0][0]);
                                if (!text.ok()) return -1.0;
                                auto us = ParseInstantMicros(*text);
                                if (!us) return -1.0;
                                return static_cast<double>(NowMs() * 1000 - *us) / 1e6;
                              });

  if (cfg.fhir) {
    SA_ASSIGN_OR_RETURN(h.ready_ehr, EhrConnection::Open(*cfg.fhir));
  }
  h.context.db = db;
  h.context.catalog = rt->catalog.get();
  h.context.vault = rt->vault.get();
  h.context.sessions = h.sessions.get();
  h.context.auth = &cfg.api.auth;
  h.context.validator = h.validator.get();
  h.context.registry = &h.registry;
  h.context.metrics = h.metrics.get();
  Impl* self = impl.get();
  h.context.readiness = [self] { return self->Readiness(); };
  AddApiRoutes(h.router, h.context);

  ServerOptions so;
  so.listen = options.listen_override.empty() ? cfg.api.listen : options.listen_override;
  if (cfg.api.tls) {
    TlsOptions tls;
    tls.cert_file = cfg.api.tls->cert_file;
    tls.key_file = cfg.api.tls->key_file;
    tls.client_ca_file = cfg.api.tls->client_ca_file;
    tls.require_client_cert = cfg.api.tls->require_client_cert;
    so.tls = tls;
  }
  const ApiConfig& a = cfg.api;
  if (a.max_body_bytes) so.limits.max_body_bytes = static_cast<std::size_t>(*a.max_body_bytes);
  if (a.max_header_count) so.limits.max_header_count = static_cast<std::size_t>(*a.max_header_count);
  if (a.request_timeout_ms) so.limits.request_timeout = std::chrono::milliseconds(*a.request_timeout_ms);
  if (a.max_threads) so.limits.max_threads = static_cast<int>(*a.max_threads);
  if (a.rate_limit_per_second) so.limits.rate_limit_per_second = static_cast<double>(*a.rate_limit_per_second);
  if (a.rate_limit_burst) so.limits.rate_limit_burst = static_cast<double>(*a.rate_limit_burst);
  so.limits.shutdown_drain = std::chrono::milliseconds(a.drain_ms);
  const auth::JwtValidator* validator = h.validator.get();
  so.client_key = [validator](const HttpRequest& r) { return ClientKey(validator, r); };
  so.metrics = &h.registry;
  SA_ASSIGN_OR_RETURN(h.server, HttpServer::Start(so, &h.router));

  if (cfg.fhir && options.deliver) {
    SA_ASSIGN_OR_RETURN(h.delivery_ehr, EhrConnection::Open(*cfg.fhir));
    h.delivery_thread = std::thread([self] { self->DeliveryLoop(); });
  }
  if (cfg.fhir && options.sync) {
    SA_ASSIGN_OR_RETURN(h.sync_ehr, EhrConnection::Open(*cfg.fhir));
    h.sync_thread = std::thread([self] {
      SyncOptions so;
      so.interval = std::chrono::seconds(self->rt->config.sync.interval_seconds);
      so.overlap = std::chrono::seconds(self->rt->config.sync.overlap_seconds);
      TaskSync sync(self->rt->db.get(), &self->sync_ehr->client(), &self->rt->config.fhir->mapping, so);
      Status s = sync.RunForever(self->stop, [](const StatusOr<SyncStats>& r) {
        if (!r.ok()) LogJson("warn", "", {{"event", "sync-poll-failed"}, {"code", StatusCodeName(r.status().code())}});
      });
      if (!s.ok()) LogJson("error", "", {{"event", "sync-stopped"}, {"code", StatusCodeName(s.code())}});
    });
  }
  LogJson("info", "", {{"event", "listening"}, {"url", h.server->base_url()}});
  return std::unique_ptr<ServiceHost>(new ServiceHost(std::move(impl)));
}

std::string ServiceHost::base_url() const { return impl_->server->base_url(); }
int ServiceHost::port() const { return impl_->server->port(); }

void ServiceHost::Stop() {
  Impl& h = *impl_;
  {
    std::lock_guard<std::mutex> lock(h.mu);
    if (h.stopped) return;
    h.stopped = true;
  }
  h.server->Shutdown(std::chrono::milliseconds(h.rt->config.api.drain_ms));
  h.stop.store(true);
  h.wake.notify_all();
  if (h.delivery_thread.joinable()) h.delivery_thread.join();
  if (h.sync_thread.joinable()) h.sync_thread.join();
  LogJson("info", "", {{"event", "stopped"}});
}

}  // namespace sa::adapter::api
