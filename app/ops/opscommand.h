#pragma once

#include <QString>
#include <QStringList>

namespace tdkube::ops {

// tdkube's headless operation commands, for scripts and terminals without a display:
//
//   tdkube deploy -f FILE [-f FILE...] [--yes] [--no-ha-mnodes]
//   tdkube scale --cluster NAME --replicas N [--yes] [--delete-stale-claims] [--balance]
//   tdkube repair --cluster NAME [--yes] [--confirm TEXT]
//   tdkube operations
//   tdkube resume ID [--wait SECONDS]
//   tdkube abandon ID
//
// each with [--kubeconfig F] [--context C] [-n NS]; deploy, scale, repair and resume also with [--user NAME]
// [--password-stdin]. `operations` also lists what the cluster records (ClusterRecord) and brings a
// journal that another workstation ran further up to its record; `resume` of an operation this
// workstation has no journal of takes it over from its record once no other workstation holds the
// cluster's lease (waiting for it to expire); `abandon` writes the record too. They plan exactly as the
// wizards do (planner.h), print the findings (reason and fix) and the numbered steps, and with --yes run
// the plan with the Executor, printing each step's progress; the journal they write is the one the GUI offers
// to resume, and the other way round. Kubeconfig files: --kubeconfig, else $KUBECONFIG, else ~/.kube/config;
// context: --context, else the kubeconfig's current-context (a resume: the context its journal names);
// namespace: -n, else the context's. The TDengine login: --user, else root (or the user stored with the
// keychain's password); the password from the first line of stdin with --password-stdin, else from
// $TDKUBE_TDENGINE_PASSWORD, else the PasswordStore's (the keychain, else TDengine's default, with a
// warning). Never a password argument: `--password` is refused without repeating it. A login TDengine
// refuses is said with where its password came from; a resume checks it before it runs anything.
//
// Exit codes: 0 done (or only planned), 1 refused or failed, 2 bad usage.
namespace opscommand {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// True when `arguments` (as QCoreApplication::arguments(): the program first) name a subcommand,
// so that main() starts no window.
bool isCommand(const QStringList &arguments);
// Runs the command in the event loop of the QCoreApplication that must exist (it calls exec()),
// writing to stdout and stderr; returns the exit code.
int run(const QStringList &arguments);
// The lines `tdkube --help` adds about the subcommands.
QString helpText();

} // namespace opscommand

} // namespace tdkube::ops
