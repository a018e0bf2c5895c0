#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-spin.sh [--keep] [--list] [RUN...]
#
# Checks the Promela models of the registration lifetime (registration.pml),
# of buffer objects in it (gem.pml) and of parked waits (wait.pml) with spin: every run below generates a verifier (spin -a), compiles it
# and searches the model's whole state space (exhaustive: no bitstate, no
# hash compaction; -DCOLLAPSE only compresses stored states).  The correct
# model must show "errors: 0"; each deliberately broken variant must show
# an error, and the error it was built to show.  See verify/README.md.
#
# Exit 0 when every run gave the expected result, 1 otherwise; 77 (skip)
# when spin or a C compiler is missing, unless GP_SPIN_REQUIRED=1 (then that
# is a failure).  The last line is "N passed, N failed".
#
# Environment: CC (default cc), GP_SPIN_JOBS (parallel runs, default: the
# number of CPUs), GP_SPIN_MEMLIM (MB per verifier, default 4096).
#
# Flag lists ($flags, $cflags, $pflags, $names) are split into words on purpose.
# shellcheck disable=SC2086
set -u

here=$(cd "$(dirname "$0")" && pwd)
model=$here/registration.pml
cc=${CC:-cc}

# Scenarios: model parameters (see the top of registration.pml).
scenario_flags() {
	case $1 in
	revoke) echo "-DCLIENT_MODE=1 -DNSESS=1 -DNI=0 -DREMOVER=1" ;;	# ioctls vs two revokers, IRQ, rebind
	rebind) echo "-DCLIENT_MODE=1 -DNSESS=2 -DNI=0 -DREMOVER=0" ;;	# clients reopen: old files vs the new device
	reads)  echo "-DCLIENT_MODE=0 -DNSESS=1 -DNI=1 -DREMOVER=0" ;;	# ioctls and parked reads, events, interrupts
	reads2) echo "-DCLIENT_MODE=0 -DNSESS=1 -DNI=2 -DREMOVER=0" ;;	# the same with two interrupts
	all)    echo "-DCLIENT_MODE=0 -DNSESS=1 -DNI=1 -DREMOVER=1" ;;	# everything at once (42 M states)
	gem)    echo "" ;;	# gem.pml: objects, DMA mappings, postclose vs revoke
	wait-revoke) echo "-DNW=2 -DREVOKE" ;;			# wait.pml: parked waits vs revoke
	wait-close)  echo "-DNW=2 -DCLOSE" ;;			# ... vs file close
	wait-signal) echo "-DNW=2 -DSIGNAL" ;;			# ... vs the fence they wait on
	wait-all)    echo "-DNW=2 -DREVOKE -DCLOSE -DSIGNAL" ;;	# all three at once
	*) echo "run-spin: unknown scenario $1" >&2; exit 2 ;;
	esac
}

# name; scenario; extra -D flags; check (safety or an LTL claim); expected:
# "pass", or an extended regular expression the first error must match.
# The expensive runs come first so that parallel jobs finish together.
# Runs marked '+' are too slow for the test suite (about a minute and
# 2.6 GB): they run only when named.
runs() {
	cat <<'EOF'
revoke-terminates;revoke;;revoke_terminates;pass
reads-answered;reads;;parked_answered;pass
reads-safety;reads;;safety;pass
rebind-safety;rebind;;safety;pass
revoke-safety;revoke;;safety;pass
broken-release-before-gp;revoke;-DBROKEN_RELEASE_BEFORE_GP;safety;assertion violated \(released\[[pq]\]==0\)
broken-unplug-after-gp;revoke;-DBROKEN_UNPLUG_AFTER_GP;safety;assertion violated \(released\[[pq]\]==0\)
broken-no-revoke-lock;revoke;-DBROKEN_NO_REVOKE_LOCK;safety;assertion violated \((p==1|released\[1\]==1)\)
broken-revoke-in-guard;revoke;-DBROKEN_REVOKE_IN_GUARD;revoke_terminates;acceptance cycle
broken-revoke-in-guard-end;revoke;-DBROKEN_REVOKE_IN_GUARD;safety;invalid end state
broken-no-wake;reads;-DBROKEN_NO_WAKE;parked_answered;acceptance cycle
broken-no-wake-end;reads;-DBROKEN_NO_WAKE;safety;invalid end state
broken-no-early-interrupt;reads;-DBROKEN_NO_EARLY_INTERRUPT;safety;assertion violated +!\(tok_cb\[tok\]\)
broken-rebind-reuse;rebind;-DBROKEN_REBIND_REUSE;safety;assertion violated \(p==freg\[f\]\)
gem-safety;gem;;safety;pass
broken-gem-unmap-before-gp;gem;-DBROKEN_UNMAP_BEFORE_GP;safety;assertion violated +!\(unmapped\)
broken-gem-map-no-ref;gem;-DBROKEN_MAP_NO_REF;safety;assertion violated +!\(obj_freed\)
broken-gem-postclose-no-wait;gem;-DBROKEN_POSTCLOSE_NO_WAIT;safety;assertion violated +!\(fpriv_freed\)
broken-gem-import-get-zero;gem;-DBROKEN_IMPORT_GET_ZERO;safety;assertion violated +!\((obj_freed|dev_freed)\)
wait-all-safety;wait-all;;safety;pass
wait-revoke-safety;wait-revoke;;safety;pass
wait-close-safety;wait-close;;safety;pass
wait-signal-safety;wait-signal;;safety;pass
broken-wait-wake-before-unplug;wait-revoke;-DBROKEN_WAKE_BEFORE_UNPLUG;safety;invalid end state
broken-wait-park-no-check;wait-revoke;-DBROKEN_PARK_NO_CHECK;safety;invalid end state
broken-wait-close-wake-first;wait-close;-DBROKEN_CLOSE_WAKE_FIRST;safety;invalid end state
broken-wait-no-trigger;wait-signal;-DBROKEN_NO_TRIGGER;safety;invalid end state
+all-safety;all;;safety;pass
EOF
}

# run_one NAME WORKDIR: one verification; prints one line, writes NAME.result.
run_one() {
	name=$1 work=$2
	line=$(runs | sed 's/^+//' | grep "^$name;") || { echo "run-spin: no run named $name" >&2; return 2; }
	IFS=';' read -r _ scen extra check expect <<EOF
$line
EOF
	dir=$work/$name
	mkdir -p "$dir"
	cd "$dir" || return 2
	flags="$(scenario_flags "$scen")${extra:+ $extra}"
	case $scen in
	gem) src=$here/gem.pml ;;
	wait-*) src=$here/wait.pml ;;
	*) src=$model ;;
	esac
	pml=$(basename "$src")

	# Runs that must pass search everything: optimise.  Runs that must fail
	# stop at their first error: compile fast.
	if [ "$expect" = pass ]; then opt=-O1; else opt=-O0; fi
	if [ "$check" = safety ]; then
		cflags="-DSAFETY -DNOCLAIM"
		pflags=""
	else
		cflags=""
		pflags="-a -N $check"
	fi
	# A copy, so that pan writes its trail here (registration.pml.trail).
	cp "$src" "$pml" || return 2
	if ! spin -a $flags "$pml" >spin.log 2>&1; then
		result="FAIL $name: spin -a failed (see $dir/spin.log)"
	elif ! $cc $opt -w -DCOLLAPSE -DMEMLIM="${GP_SPIN_MEMLIM:-4096}" $cflags -o pan pan.c \
			>cc.log 2>&1; then
		result="FAIL $name: compiling pan.c failed (see $dir/cc.log)"
	else
			./pan -m10000 $pflags >pan.log 2>&1
		errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' pan.log | tail -n 1)
		states=$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' pan.log | tail -n 1)
		secs=$(sed -n 's/^pan: elapsed time \([0-9.e+]*\) seconds.*/\1/p' pan.log | tail -n 1)
		first=$(grep -m 1 -E '^pan:1: ' pan.log | sed 's/^pan:1: //; s/ (at depth [0-9]*)//')
		stats="${states:-?} states, ${secs:-?} s"
		desc="$check, spin $flags"
		if [ -z "$errors" ]; then
			result="FAIL $name: no verdict from pan (see $dir/pan.log)"
		elif [ "$expect" = pass ]; then
			if [ "$errors" -eq 0 ] && ! grep -q 'max search depth too small' pan.log &&
			   ! grep -q 'Search not completed' pan.log; then
				result="PASS $name: errors: 0 ($stats; $desc)"
			else
				result="FAIL $name: errors: $errors, expected 0: ${first:-search incomplete} (see $dir)"
			fi
		elif [ "$errors" -gt 0 ] && printf '%s\n' "$first" | grep -Eq -- "$expect"; then
			result="PASS $name: rejected as expected: $first ($desc)"
		elif [ "$errors" -gt 0 ]; then
			result="FAIL $name: rejected, but for another reason: $first (expected /$expect/; see $dir)"
		else
			result="FAIL $name: errors: 0, but this variant must be rejected ($stats; $desc)"
		fi
	fi
	echo "$result" >"$work/$name.result"
	echo "$result"
}

if [ "${1:-}" = --one ]; then
	run_one "$2" "$3"
	exit $?
fi

keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--keep) keep=1; shift ;;
	--list) runs | tr ';' '\t'; exit 0 ;;
	-h|--help) sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	-*) echo "run-spin: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done

missing=""
command -v spin >/dev/null 2>&1 || missing="spin not found (apt-get install spin)"
command -v "$cc" >/dev/null 2>&1 || missing="${missing:+$missing; }C compiler $cc not found"
if [ -n "$missing" ]; then
	if [ "${GP_SPIN_REQUIRED:-0}" = 1 ]; then
		echo "FAIL: $missing, and GP_SPIN_REQUIRED=1"
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "SKIP: $missing"
	exit 77
fi

if [ $# -gt 0 ]; then
	names=$*
else
	names=$(runs | grep -v '^+' | cut -d';' -f1)
fi
jobs=${GP_SPIN_JOBS:-$(nproc 2>/dev/null || echo 2)}
work=$(mktemp -d "${TMPDIR:-/tmp}/gp-spin.XXXXXX")
start=$(date +%s)

echo "spin: $(spin -V 2>&1 | head -n 1); $model, $here/gem.pml, $here/wait.pml; $jobs parallel runs"
printf '%s\n' $names | xargs -P "$jobs" -I '{}' "$0" --one '{}' "$work"

passed=0
failed=0
for n in $names; do
	if [ -f "$work/$n.result" ] && grep -q '^PASS' "$work/$n.result"; then
		passed=$((passed + 1))
	else
		[ -f "$work/$n.result" ] || echo "FAIL $n: no result"
		failed=$((failed + 1))
	fi
done
echo "elapsed: $(($(date +%s) - start)) s"
if [ "$failed" -gt 0 ] || [ "$keep" = 1 ]; then
	echo "verifiers, logs and trails kept in $work (replay a trail: cd $work/RUN && spin -t -p FLAGS registration.pml (or gem.pml, wait.pml))"
else
	rm -rf "$work"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
