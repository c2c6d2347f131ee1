# `cmake --install` into a scratch prefix, then checks that the binaries,
# units, migrations and documentation are there. Run by ctest (label demo).
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD}" --prefix "${PREFIX}"
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc})")
endif()
foreach(f bin/admincenter bin/enforcer bin/custodian
          lib/systemd/system/custodian-admincenter.service
          lib/systemd/system/custodian-enforcer.service
          share/custodian/schema/admincenter/0001_initial.sql
          share/custodian/schema/enforcer/0001_initial.sql
          share/doc/custodian/README.md share/doc/custodian/admincenter.md
          share/doc/custodian/enforcer.md share/doc/custodian/openapi.json)
  if(NOT EXISTS "${PREFIX}/${f}")
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
# The web UIs, beside bin/ where the installed daemons look for them.
foreach(app console customer)
  if(CONSOLE AND NOT EXISTS "${PREFIX}/share/custodian/${app}/index.html")
    message(FATAL_ERROR "not installed: share/custodian/${app}/index.html")
  endif()
endforeach()
execute_process(COMMAND "${PREFIX}/bin/enforcer" --version RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "enforcer")
  message(FATAL_ERROR "the installed enforcer does not run: ${out}")
endif()
file(REMOVE_RECURSE "${PREFIX}")
