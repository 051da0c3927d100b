#!/bin/bash
# scripts/test.sh runs the deb workflow through this hook.  Its test_deb
# installs libfctx-dev into /usr and removes it when done; if the test was
# killed first (a ctest timeout), the package is removed here, so the
# machine stays clean and the preset can run again.
"$@"
rc=$?
if [ "$(dpkg-query -W -f='${db:Status-Status}' libfctx-dev 2>/dev/null)" = installed ]; then
  echo "presets.d/deb.sh: libfctx-dev was left installed: removing it"
  apt-get remove -y -qq libfctx-dev && dpkg --purge libfctx-dev
fi
exit $rc
