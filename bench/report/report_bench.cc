// The report over a store, timed with Google Benchmark (issue 6, item 3):
//   report_bench --store=STORE --year=Y --as_of=YYYY-MM-DD [--known_at=SECONDS]
//                [benchmark flags, e.g. --benchmark_repetitions=5]
// STORE is a SQLite path or a postgresql:// URL. Before the benchmarks run it
// prints, once: the time to open the store and read the entries the first
// time (what a new process pays: "cold"), the peak memory after that, and the
// report's figures as JSON lines of sums, so that a run can be compared with
// another engine's. The benchmarks then time:
//   BM_Report        the whole report for the year, as of the date (warm);
//   BM_ReportOneThread the same on one thread;
//   BM_ReportScanAll the same without the year index (every entry read), to
//                    show what the index buys.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

#include "analysis/report.h"
#include "reference/countries.h"
#include "store/store.h"

namespace {

using rmis::analysis::ComputeReport;
using rmis::analysis::ReportOptions;

std::unique_ptr<rmis::store::Store> g_store;
ReportOptions g_options;

int64_t PeakKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// The process's CPU time so far (user + system), in seconds.
double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Times the whole report with `options`, the store open (warm).
void TimeReports(benchmark::State& state, const ReportOptions& options) {
  for (auto _ : state) {
    auto status = g_store->ReadColumns([&](const rmis::ledger::Ledger& reference,
                                           const rmis::ledger::EntryColumns& entries) {
      auto report = ComputeReport(reference, entries, options);
      benchmark::DoNotOptimize(report);
    });
    if (!status) state.SkipWithError(status.error().message.c_str());
  }
}

void BM_Report(benchmark::State& state) { TimeReports(state, g_options); }
BENCHMARK(BM_Report)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// The same on one thread (a report over 100,000 entries or more uses two).
void BM_ReportOneThread(benchmark::State& state) {
  ReportOptions options = g_options;
  options.threads = 1;
  TimeReports(state, options);
}
BENCHMARK(BM_ReportOneThread)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_ReportScanAll(benchmark::State& state) {
  rmis::ledger::Ledger reference;
  rmis::ledger::EntryColumns copy;
  auto status = g_store->ReadColumns([&](const rmis::ledger::Ledger& r, const rmis::ledger::EntryColumns& c) {
    reference = r;
    copy = c;
  });
  if (!status) {
    state.SkipWithError(status.error().message.c_str());
    return;
  }
  copy.DropIndex();
  for (auto _ : state) {
    auto report = ComputeReport(reference, copy, g_options);
    benchmark::DoNotOptimize(report);
  }
}
BENCHMARK(BM_ReportScanAll)->Unit(benchmark::kMillisecond)->MinTime(2.0);

std::string Flag(int& argc, char** argv, const char* name) {
  const std::string prefix = std::string("--") + name + "=";
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], prefix.c_str(), prefix.size()) == 0) {
      std::string value = argv[i] + prefix.size();
      for (int j = i; j + 1 < argc; ++j) argv[j] = argv[j + 1];
      --argc;
      return value;
    }
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  // As rmis's own main does (src/cli/main.cc): a report's vectors of a few
  // MiB come from the heap, not fresh pages the kernel must clear.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  const std::string location = Flag(argc, argv, "store");
  const std::string year = Flag(argc, argv, "year");
  const std::string as_of = Flag(argc, argv, "as_of");
  const std::string known_at = Flag(argc, argv, "known_at");
  if (location.empty() || year.empty() || as_of.empty()) {
    std::cerr << "usage: report_bench --store=STORE --year=Y --as_of=YYYY-MM-DD [--known_at=SECONDS] "
                 "[benchmark flags]\n";
    return 2;
  }
  auto date = rmis::ledger::ParseDate(as_of);
  if (!date) {
    std::cerr << "report_bench: --as_of: " << date.error().message << "\n";
    return 2;
  }
  g_options.year = std::stoi(year);
  g_options.snapshot.as_of = *date;
  if (!known_at.empty()) g_options.snapshot.known_at = std::stoll(known_at);

  const auto start = std::chrono::steady_clock::now();
  rmis::store::StoreEnvironment environment{[] { return static_cast<rmis::ledger::Instant>(std::time(nullptr)); },
                                            rmis::reference::IsCountryAlpha3};
  auto store = rmis::store::OpenStore(location, rmis::store::OpenMode::kExisting, environment);
  if (!store) {
    std::cerr << "report_bench: " << store.error().message << "\n";
    return 1;
  }
  g_store = std::move(*store);
  rmis::analysis::Report first;
  size_t entries = 0;
  auto status = g_store->ReadColumns([&](const rmis::ledger::Ledger& reference, const rmis::ledger::EntryColumns& c) {
    entries = c.size();
    std::printf("listed_for_year %zu (links %zu), listed_for_every_year %zu (links %zu)\n",
                c.YearPositions(g_options.year).size(), c.YearLinkPositions(g_options.year).size(),
                c.AlwaysPositions().size(), c.AlwaysLinkPositions().size());
    first = ComputeReport(reference, c, g_options);
  });
  if (!status) {
    std::cerr << "report_bench: " << status.error().message << "\n";
    return 1;
  }
  const double cold = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("entries %zu\ncold_open_and_first_report_s %.3f (cpu %.3f)\npeak_rss_kib %lld\n", entries, cold,
              CpuSeconds(), static_cast<long long>(PeakKiB()));
  for (const auto& fund : first.income_vs_target) {
    std::printf("income %s %lld prior %lld\n", fund.fund.c_str(), static_cast<long long>(fund.received_cents),
                static_cast<long long>(fund.prior_year_cents));
  }
  for (const auto& region : first.regions) {
    std::printf("region %s %lld\n", std::string(rmis::ledger::Name(region.region)).c_str(),
                static_cast<long long>(region.received_cents));
  }
  for (const auto& forecast : first.forecast) {
    std::printf("pledged %s %lld\n", forecast.fund.c_str(), static_cast<long long>(forecast.pledged_cents));
  }
  std::printf("concentration top %lld total %lld donors %d\n",
              static_cast<long long>(first.concentration.top_cents),
              static_cast<long long>(first.concentration.total_cents), first.concentration.donors);
  std::fflush(stdout);

  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::printf("peak_rss_kib_after %lld\n", static_cast<long long>(PeakKiB()));
  return 0;
}
