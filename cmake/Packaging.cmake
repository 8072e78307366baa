# Installation (GNUInstallDirs) and the Debian package (CPack): `cmake --install build` or
# `cd build && cpack -G DEB` (configure with -DCMAKE_INSTALL_PREFIX=/usr for the package).
include(GNUInstallDirs)

install(TARGETS starttls-probe RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The plugin's name, where Debian's Nagios and Icinga look for plugins ($USER1$, PluginDir).
set(STP_PLUGIN_DIR lib/nagios/plugins)
file(RELATIVE_PATH STP_PLUGIN_TO_BINARY /usr/${STP_PLUGIN_DIR} /usr/${CMAKE_INSTALL_BINDIR}/starttls-probe)
file(CREATE_LINK ${STP_PLUGIN_TO_BINARY} ${CMAKE_BINARY_DIR}/check_starttls SYMBOLIC)
install(FILES ${CMAKE_BINARY_DIR}/check_starttls DESTINATION ${STP_PLUGIN_DIR})

# The man page, compressed as Debian's policy wants (gzip -n: no name or time inside).
find_program(GZIP_PROGRAM gzip REQUIRED)
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/starttls-probe.1.gz
                   COMMAND ${GZIP_PROGRAM} -9n -c ${STP_ROOT}/docs/starttls-probe.1 > ${CMAKE_BINARY_DIR}/starttls-probe.1.gz
                   DEPENDS ${STP_ROOT}/docs/starttls-probe.1 VERBATIM)
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/changelog.gz
                   COMMAND ${GZIP_PROGRAM} -9n -c ${STP_ROOT}/packaging/debian/changelog > ${CMAKE_BINARY_DIR}/changelog.gz
                   DEPENDS ${STP_ROOT}/packaging/debian/changelog VERBATIM)
add_custom_target(compressed_docs ALL DEPENDS ${CMAKE_BINARY_DIR}/starttls-probe.1.gz ${CMAKE_BINARY_DIR}/changelog.gz)
install(FILES ${CMAKE_BINARY_DIR}/starttls-probe.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
file(CREATE_LINK starttls-probe.1.gz ${CMAKE_BINARY_DIR}/check_starttls.1.gz SYMBOLIC)
install(FILES ${CMAKE_BINARY_DIR}/check_starttls.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

install(FILES ${STP_ROOT}/packaging/bash-completion/starttls-probe DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
file(CREATE_LINK starttls-probe ${CMAKE_BINARY_DIR}/check_starttls.bash-completion SYMBOLIC)
install(FILES ${CMAKE_BINARY_DIR}/check_starttls.bash-completion DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME check_starttls)
# Icinga 2 loads it with `include <plugins-contrib>`.
install(FILES ${STP_ROOT}/packaging/icinga2/check_starttls.conf DESTINATION ${CMAKE_INSTALL_DATADIR}/icinga2/include/plugins-contrib.d
        RENAME starttls.conf)

set(STP_DOC ${CMAKE_INSTALL_DATADIR}/doc/starttls-probe)
install(FILES ${STP_ROOT}/packaging/debian/copyright ${CMAKE_BINARY_DIR}/changelog.gz DESTINATION ${STP_DOC})
install(FILES ${STP_ROOT}/packaging/systemd/starttls-probe-scan.service ${STP_ROOT}/packaging/systemd/starttls-probe-scan.timer
              ${STP_ROOT}/packaging/systemd/starttls-probe-serve.service DESTINATION ${STP_DOC}/examples/systemd)
install(FILES ${STP_ROOT}/packaging/nagios/check_starttls.cfg DESTINATION ${STP_DOC}/examples/nagios)
install(FILES ${STP_ROOT}/packaging/kubernetes/starttls-probe-job.yaml DESTINATION ${STP_DOC}/examples/kubernetes)

set(CPACK_PACKAGE_NAME starttls-probe)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "starttls-probe maintainers <maintainers@users.noreply.r-seed-57951a71.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "check from outside that SMTP endpoints offer STARTTLS with the right certificate")
# The extended description: lines of at most 80 columns (Debian policy 3.4.1).
set(CPACK_PACKAGE_DESCRIPTION
    "starttls-probe connects to SMTP endpoints as a sending mail server does (EHLO,
STARTTLS, the TLS handshake), captures the certificate chain and judges it as
Microsoft Exchange, DANE senders and MTA-STS senders do: it reproduces
Exchange's events 12014, 12016 and 12018 remotely and says how to fix each
endpoint. It scans one endpoint or a hundred thousand, mail domains (MX,
DNSSEC, DANE, MTA-STS) and Exchange connector inventories, and reports as
text, JSON, CSV, JUnit, Nagios and Prometheus. It runs as a Nagios/Icinga
plugin (check_starttls) and as a Prometheus exporter (starttls-probe serve).")
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # dpkg-shlibdeps: the libraries the binary really links
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "dns-root-data")  # the default DNSSEC trust anchor
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "monitoring-plugins-common, prometheus-node-exporter")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
