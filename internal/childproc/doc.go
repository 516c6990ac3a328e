// Package childproc holds what the programs that run child processes in
// this repository (the make demo runner in tools/demo and the integration
// test harness in internal/itest) share: whether a process still runs
// (PIDAlive, WaitGone), its output split into lines (LineWriter) with the
// last lines kept for error messages (Tail), and the ready line that
// tools/devstack prints once its broker and registry answer (ParseReady,
// WatchReady).
//
// Starting, signalling and stopping the children stays with the callers,
// whose policies differ (process groups and a second-signal hurry in the
// demo, standard-input close and a fixed grace in the harness).
package childproc
