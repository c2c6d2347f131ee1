// The translation unit that tests/CMakeLists.txt's custodian_test_pch
// builds its precompiled header with; every test target reuses that
// header. Nothing else belongs here.
