# The fuzz targets (issue 6): each is fuzz/<name>_fuzz.cc, linked with the
# libraries listed here. fuzz/CMakeLists.txt builds them for libFuzzer (make
# fuzz); tests/fuzz/CMakeLists.txt replays their corpora in ctest.
set(RMIS_FUZZ_TARGETS csv_reader dataset_reader money date json_record)
set(RMIS_FUZZ_LIBS_csv_reader rmis_exchange)
set(RMIS_FUZZ_LIBS_dataset_reader rmis_exchange)
set(RMIS_FUZZ_LIBS_money rmis_ledger rmis_money)
set(RMIS_FUZZ_LIBS_date rmis_ledger)
set(RMIS_FUZZ_LIBS_json_record rmis_server rmis_exchange nlohmann_json::nlohmann_json)
