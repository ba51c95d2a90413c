#!/bin/sh
# ctest's last step (FIXTURES_CLEANUP pf_devnull): the machine's /dev/null
# must still be the null character device (1:3) after every test ran.
if [ -c /dev/null ] && [ "$(stat -c %t:%T /dev/null)" = 1:3 ]; then
	echo "/dev/null is intact"
	exit 0
fi
ls -l /dev/null
echo "/dev/null is no longer the null device. Repair (as root):"
echo "  rm -f /dev/null && mknod -m 666 /dev/null c 1 3"
exit 1
