#include "kube/credentials.h"
#include "kube/kubeconfig.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using tdkube::kube::ConfigProblem;
using tdkube::kube::ConnectionSettings;
using tdkube::kube::Kubeconfig;

namespace {

QString fixture(const QString &name)
{
    return QStringLiteral(TDKUBE_KUBECONFIGS) + u'/' + name;
}

QString problemsText(const Kubeconfig &config)
{
    QStringList lines;
    for (const ConfigProblem &problem : config.problems())
        lines.append(problem.toString());
    return lines.join(u'\n');
}

// The one problem whose message contains `text`; fails the test when there is not exactly one.
std::optional<ConfigProblem> problemContaining(const Kubeconfig &config, const QString &text)
{
    std::optional<ConfigProblem> found;
    for (const ConfigProblem &problem : config.problems()) {
        if (!problem.message.contains(text))
            continue;
        if (found)
            return std::nullopt;
        found = problem;
    }
    return found;
}

void writeFile(const QString &path, const QByteArray &contents)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(contents);
}

std::optional<ConnectionSettings> settingsFor(const Kubeconfig &config, const QString &context,
                                              QString *error)
{
    const auto resolved = config.resolve(context, error);
    if (!resolved)
        return std::nullopt;
    ConnectionSettings settings;
    if (!tdkube::kube::makeConnectionSettings(*resolved, &settings, error))
        return std::nullopt;
    return settings;
}

} // namespace

class TestKubeconfig final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_home;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_home.isValid());
        // Paths with ~ and the default ~/.kube/config must never reach the real home.
        qputenv("HOME", m_home.path().toLocal8Bit());
        QCOMPARE(QDir::homePath(), m_home.path());
    }

    void load_realWorldFile_resolvesCurrentContext_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("context");
        QTest::addColumn<QString>("server");
        QTest::addColumn<QString>("ns");
        QTest::addColumn<QString>("authentication");

        QTest::newRow("kind") << u"kind.yaml"_s << u"kind-dev"_s << u"https://127.0.0.1:39617"_s
                              << u"default"_s << u"client certificate"_s;
        QTest::newRow("minikube") << u"minikube.yaml"_s << u"minikube"_s << u"https://192.168.49.2:8443"_s
                                  << u"tdengine"_s << u"client certificate"_s;
        QTest::newRow("gke") << u"gke.yaml"_s << u"gke_acme-prod_europe-west1_tdengine"_s
                             << u"https://34.118.20.7"_s << u"default"_s
                             << u"exec plugin gke-gcloud-auth-plugin"_s;
        QTest::newRow("eks") << u"eks.yaml"_s
                             << u"arn:aws:eks:eu-central-1:123456789012:cluster/tdengine-prod"_s
                             << u"https://4F2A9C81D3B6E1.gr7.eu-central-1.eks.amazonaws.com"_s << u"tsdb"_s
                             << u"exec plugin aws"_s;
        QTest::newRow("oidc") << u"oidc.yaml"_s << u"corp-oidc"_s << u"https://k8s.corp.example:6443"_s
                              << u"analytics"_s << u"oidc id-token from https://dex.corp.example"_s;
    }

    void load_realWorldFile_resolvesCurrentContext()
    {
        QFETCH(QString, file);
        QFETCH(QString, context);
        QFETCH(QString, server);
        QFETCH(QString, ns);
        QFETCH(QString, authentication);

        const Kubeconfig config = Kubeconfig::load({fixture(file)});
        QVERIFY2(config.problems().isEmpty(), qPrintable(problemsText(config)));
        QCOMPARE(config.currentContext(), context);
        QCOMPARE(config.contextNames(), QStringList{context});
        QString error;
        const auto settings = settingsFor(config, context, &error);
        QVERIFY2(settings, qPrintable(error));
        QCOMPARE(settings->server, QUrl(server));
        QCOMPARE(settings->defaultNamespace, ns);
        QCOMPARE(settings->contextName, context);
        if (authentication == u"client certificate") {
            QVERIFY(settings->clientCertificatePem.startsWith("-----BEGIN CERTIFICATE-----"));
            QVERIFY(settings->clientKeyPem.startsWith("-----BEGIN RSA PRIVATE KEY-----"));
            QVERIFY(!settings->credentials);
        } else {
            QVERIFY(settings->credentials);
            QCOMPARE(settings->credentials->describe(), authentication);
        }
    }

    void load_kind_decodesEmbeddedCertificates()
    {
        const Kubeconfig config = Kubeconfig::load({fixture(u"kind.yaml"_s)});
        const auto cluster = config.cluster(u"kind-dev"_s);
        QVERIFY(cluster);
        QCOMPARE(cluster->certificateAuthorityData,
                 "-----BEGIN CERTIFICATE-----\nkind-ca\n-----END CERTIFICATE-----\n");
        QString error;
        const auto settings = settingsFor(config, u"kind-dev"_s, &error);
        QVERIFY(settings);
        QCOMPARE(settings->certificateAuthorityOrigin, u"certificate-authority-data of cluster kind-dev"_s);
        QCOMPARE(settings->clientKeyPem,
                 "-----BEGIN RSA PRIVATE KEY-----\nkind-admin-key\n-----END RSA PRIVATE KEY-----\n");
    }

    void load_minikube_relativePathsResolveAgainstDefiningFile()
    {
        const Kubeconfig config = Kubeconfig::load({fixture(u"minikube.yaml"_s)});
        const auto user = config.user(u"minikube"_s);
        QVERIFY(user);
        QCOMPARE(user->clientCertificate, fixture(u"minikube/profiles/minikube/client.crt"_s));
        QCOMPARE(user->clientKey, fixture(u"minikube/profiles/minikube/client.key"_s));
        QCOMPARE(config.cluster(u"minikube"_s)->certificateAuthority, fixture(u"minikube/ca.crt"_s));
        QCOMPARE(user->definedIn, fixture(u"minikube.yaml"_s));

        QString error;
        const auto settings = settingsFor(config, u"minikube"_s, &error);
        QVERIFY2(settings, qPrintable(error));
        QCOMPARE(settings->certificateAuthorityPem,
                 "-----BEGIN CERTIFICATE-----\nminikube-ca\n-----END CERTIFICATE-----\n");
        QCOMPARE(settings->certificateAuthorityOrigin, u"file "_s + fixture(u"minikube/ca.crt"_s));
        QVERIFY(settings->clientKeyPem.contains("minikube-key"));
    }

    void load_gke_execV1beta1WithInstallHint()
    {
        const Kubeconfig config = Kubeconfig::load({fixture(u"gke.yaml"_s)});
        const auto user = config.user(u"gke_acme-prod_europe-west1_tdengine"_s);
        QVERIFY(user && user->exec);
        QCOMPARE(user->exec->apiVersion, u"client.authentication.k8s.io/v1beta1"_s);
        // A bare command is looked up on PATH, not resolved against the file's directory.
        QCOMPARE(user->exec->command, u"gke-gcloud-auth-plugin"_s);
        QVERIFY(user->exec->provideClusterInfo);
        QCOMPARE(
            user->exec->installHint,
            u"Install gke-gcloud-auth-plugin for use with kubectl by following "
            u"https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin"_s);
    }

    void load_eks_execArgsAndEnv()
    {
        const Kubeconfig config = Kubeconfig::load({fixture(u"eks.yaml"_s)});
        const auto user = config.user(u"arn:aws:eks:eu-central-1:123456789012:cluster/tdengine-prod"_s);
        QVERIFY(user && user->exec);
        QCOMPARE(user->exec->command, u"aws"_s);
        QCOMPARE(user->exec->args.join(u' '),
                 u"--region eu-central-1 eks get-token --cluster-name tdengine-prod --output json"_s);
        QCOMPARE(user->exec->env.size(), 2);
        QCOMPARE(user->exec->env.at(0), std::pair(u"AWS_PROFILE"_s, u"prod-admin"_s));
        QCOMPARE(user->exec->env.at(1), std::pair(u"AWS_STS_REGIONAL_ENDPOINTS"_s, u"regional"_s));
        QCOMPARE(user->exec->interactiveMode, u"IfAvailable"_s);
        QVERIFY(!user->exec->provideClusterInfo);
    }

    void load_oidc_authProviderAndClusterTlsOptions()
    {
        const Kubeconfig config = Kubeconfig::load({fixture(u"oidc.yaml"_s)});
        const auto user = config.user(u"alice@corp.example"_s);
        QVERIFY(user);
        QCOMPARE(user->authProvider, u"oidc"_s);
        QCOMPARE(user->authProviderConfig.value(u"client-id"_s), u"kubernetes"_s);
        QCOMPARE(user->authProviderConfig.value(u"idp-issuer-url"_s), u"https://dex.corp.example"_s);
        QCOMPARE(user->authProviderConfig.value(u"refresh-token"_s), u"ChlvbW5pLXJlZnJlc2gtdG9rZW4"_s);
        QVERIFY(user->authProviderConfig.value(u"id-token"_s).startsWith(u"eyJhbGciOiJSUzI1NiJ9."));

        QString error;
        const auto settings = settingsFor(config, u"corp-oidc"_s, &error);
        QVERIFY2(settings, qPrintable(error));
        QVERIFY(settings->insecureSkipTlsVerify);
        QCOMPARE(settings->tlsServerName, u"api.corp.example"_s);
        QCOMPARE(settings->proxyUrl, QUrl(u"socks5://127.0.0.1:1080"_s));
        QVERIFY(settings->certificateAuthorityOrigin.isEmpty());
    }

    void merge_firstFileWins_perName()
    {
        const Kubeconfig config = Kubeconfig::load(
            {fixture(u"merge-a.yaml"_s), fixture(u"merge-b.yaml"_s), fixture(u"merge-c.yaml"_s)});
        QVERIFY2(config.problems().isEmpty(), qPrintable(problemsText(config)));
        QCOMPARE(config.contextNames(), (QStringList{u"other"_s, u"shared"_s, u"staging"_s}));
        QCOMPARE(config.cluster(u"shared"_s)->server, u"https://a.example:6443"_s);
        QCOMPARE(config.cluster(u"shared"_s)->definedIn, fixture(u"merge-a.yaml"_s));
        QCOMPARE(config.user(u"alice"_s)->token, u"token-from-a"_s);
        QCOMPARE(config.user(u"bob"_s)->token, u"bob-from-b"_s);
        // The whole context comes from the first file; fields are not mixed with later definitions.
        const auto shared = config.context(u"shared"_s);
        QCOMPARE(shared->cluster, u"shared"_s);
        QCOMPARE(shared->user, u"alice"_s);
        QCOMPARE(shared->ns, QString());

        QString error;
        const auto other = config.resolve(u"other"_s, &error);
        QVERIFY2(other, qPrintable(error));
        QCOMPARE(other->cluster.server, u"https://a.example:6443"_s);
        QCOMPARE(other->user.token, u"bob-from-b"_s);
        QCOMPARE(other->namespaceOrDefault(), u"default"_s);
    }

    void merge_currentContext_firstNonEmptyWins_data()
    {
        QTest::addColumn<QStringList>("files");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty first, b next")
            << QStringList{u"merge-a.yaml"_s, u"merge-b.yaml"_s, u"merge-c.yaml"_s} << u"staging"_s;
        QTest::newRow("c before b") << QStringList{u"merge-a.yaml"_s, u"merge-c.yaml"_s, u"merge-b.yaml"_s}
                                    << u"other"_s;
        QTest::newRow("only empty") << QStringList{u"merge-a.yaml"_s} << QString();
    }

    void merge_currentContext_firstNonEmptyWins()
    {
        QFETCH(QStringList, files);
        QFETCH(QString, expected);
        for (QString &file : files)
            file = fixture(file);
        QCOMPARE(Kubeconfig::load(files).currentContext(), expected);
    }

    void merge_relativePaths_resolveAgainstEachDefiningFile()
    {
        QTemporaryDir dir;
        const QString first = dir.filePath(u"one/config"_s);
        const QString second = dir.filePath(u"two/nested/config"_s);
        writeFile(first, "clusters:\n- name: c1\n  cluster:\n    server: https://one\n    "
                         "certificate-authority: ca.pem\n");
        writeFile(second, "users:\n- name: u2\n  user:\n    client-certificate: ../certs/u2.crt\n"
                          "    client-key: ~/keys/u2.key\n    tokenFile: token\n"
                          "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
                          "      command: ./bin/plugin\n");
        const Kubeconfig config = Kubeconfig::load({first, second});
        QVERIFY2(config.problems().isEmpty(), qPrintable(problemsText(config)));
        QCOMPARE(config.cluster(u"c1"_s)->certificateAuthority, dir.filePath(u"one/ca.pem"_s));
        const auto user = config.user(u"u2"_s);
        QCOMPARE(user->clientCertificate, dir.filePath(u"two/certs/u2.crt"_s));
        QCOMPARE(user->clientKey, m_home.filePath(u"keys/u2.key"_s));
        QCOMPARE(user->tokenFile, dir.filePath(u"two/nested/token"_s));
        QCOMPARE(user->exec->command, dir.filePath(u"two/nested/bin/plugin"_s));
    }

    void load_malformedYaml_problemWithLineColumn_otherFilesUsable()
    {
        const Kubeconfig config = Kubeconfig::load({fixture(u"malformed.yaml"_s), fixture(u"kind.yaml"_s)});
        QCOMPARE(config.problems().size(), 1);
        const ConfigProblem problem = config.problems().first();
        QCOMPARE(problem.file, fixture(u"malformed.yaml"_s));
        // "      user: u" on line 7 is indented under a scalar; yaml-cpp stops at its colon.
        QCOMPARE(problem.line, 7);
        QCOMPARE(problem.column, 11);
        QVERIFY(problem.message.contains(u"not valid YAML"));
        QVERIFY(problem.toString().startsWith(fixture(u"malformed.yaml"_s) + u":7:11: not valid YAML"));
        QCOMPARE(config.currentContext(), u"kind-dev"_s);
        QString error;
        QVERIFY2(config.resolve(u"kind-dev"_s, &error), qPrintable(error));
    }

    void load_wrongTypes_problemsNameTheUnusableContext()
    {
        const Kubeconfig config = Kubeconfig::load({fixture(u"wrongtypes.yaml"_s)});
        const auto clusters = problemContaining(config, u"clusters must be a list"_s);
        QVERIFY2(clusters, qPrintable(problemsText(config)));
        QCOMPARE(clusters->line, 3);
        QCOMPARE(clusters->column, 11);
        const auto orphan = problemContaining(config, u"refers to cluster anything"_s);
        QVERIFY2(orphan, qPrintable(problemsText(config)));
        // Literals joined as QStrings, not char16_t arrays: GCC 12 at -O2 reports a bogus
        // -Wstringop-overflow for QStringBuilder<QString, char16_t[N]> (its object-size tracking
        // loses the builder's buffer; Debug builds do not warn).
        const QString expected =
            fixture(u"wrongtypes.yaml"_s) +
            u":7:14: context orphan refers to cluster anything, which no kubeconfig file "
            u"defines (context orphan is unusable)"_s;
        QCOMPARE(orphan->toString(), expected);
        // The rest of the file is still read.
        QCOMPARE(config.user(u"carol"_s)->token, u"carol-token"_s);
    }

    void load_brokenEntries_data()
    {
        QTest::addColumn<QString>("context");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("problem");
        QTest::addColumn<QString>("resolveError");

        QTest::newRow("no server") << u"a-no-server"_s << 6 << 5
                                   << u"cluster no-server: has no server (context a-no-server is unusable)"_s
                                   << u"context a-no-server refers to cluster no-server, which is unusable: "
                                      u"cluster no-server: has no server"_s;
        QTest::newRow("bad base64")
            << u"b-bad-cert"_s << 13 << 30
            << u"user bad-base64: client-certificate-data is not valid base64 (context b-bad-cert is unusable)"_s
            << u"context b-bad-cert refers to user bad-base64, which is unusable: user bad-base64: "
               u"client-certificate-data is not valid base64"_s;
        QTest::newRow("exec not a map")
            << u"c-bad-exec"_s << 19 << 11
            << u"user bad-exec: exec must be a map (context c-bad-exec is unusable)"_s
            << u"context c-bad-exec refers to user bad-exec, which is unusable: user "
               u"bad-exec: exec must be a map"_s;
        QTest::newRow("missing user")
            << u"missing-user"_s << 30 << 34
            << u"context missing-user refers to user nobody, which no kubeconfig file defines (context "
               u"missing-user is unusable)"_s
            << u"context missing-user refers to user nobody, which no kubeconfig file defines"_s;
    }

    void load_brokenEntries()
    {
        QFETCH(QString, context);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, problem);
        QFETCH(QString, resolveError);

        const Kubeconfig config = Kubeconfig::load({fixture(u"broken.yaml"_s)});
        QCOMPARE(config.problems().size(), 4);
        const QString expected = fixture(u"broken.yaml"_s) + u':' + QString::number(line) + u':' +
                                 QString::number(column) + u": " + problem;
        QVERIFY2(problemsText(config).split(u'\n').contains(expected), qPrintable(problemsText(config)));
        QString error;
        QVERIFY(!config.resolve(context, &error));
        QCOMPARE(error, resolveError);
        // The good entries beside the broken ones stay usable.
        QVERIFY2(config.resolve(u"good"_s, &error), qPrintable(error));
    }

    void load_missingFile_ignoredSilently()
    {
        const Kubeconfig config =
            Kubeconfig::load({m_home.filePath(u"does-not-exist"_s), fixture(u"kind.yaml"_s)});
        QVERIFY(config.problems().isEmpty());
        QCOMPARE(config.currentContext(), u"kind-dev"_s);
    }

    void load_unreadableFile_isListed()
    {
        // A directory cannot be read as a file, even by root (who ignores file permissions).
        QTemporaryDir dir;
        const QString unreadable = dir.filePath(u"config"_s);
        QVERIFY(QDir().mkpath(unreadable));
        const Kubeconfig config = Kubeconfig::load({unreadable, fixture(u"kind.yaml"_s)});
        QCOMPARE(config.problems().size(), 1);
        QCOMPARE(config.problems().first().file, unreadable);
        QVERIFY2(config.problems().first().message.startsWith(u"cannot read the file"),
                 qPrintable(problemsText(config)));
        QCOMPARE(config.currentContext(), u"kind-dev"_s);
    }

    void load_currentContextUndefined_isProblem()
    {
        QTemporaryDir dir;
        writeFile(dir.filePath(u"config"_s), "current-context: gone\n");
        const Kubeconfig config = Kubeconfig::load({dir.filePath(u"config"_s)});
        const QString expected = dir.filePath(u"config"_s) +
                                 u":1:18: current-context gone is not defined in any kubeconfig file"_s;
        QCOMPARE(problemsText(config), expected);
        QString error;
        QVERIFY(!config.resolve(config.currentContext(), &error));
        QVERIFY(error.startsWith(u"context gone is not defined in any kubeconfig file"));
    }

    void resolve_noContextSelected_saysSo()
    {
        QString error;
        QVERIFY(!Kubeconfig::load({fixture(u"merge-a.yaml"_s)}).resolve(QString(), &error));
        QVERIFY(error.startsWith(u"no context is selected"));
    }

    void defaultFiles_data()
    {
        QTest::addColumn<QByteArray>("kubeconfig");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("unset") << QByteArray() << QStringList{u"HOME/.kube/config"_s};
        QTest::newRow("list") << QByteArray("/a:/b") << QStringList{u"/a"_s, u"/b"_s};
        QTest::newRow("empty entries and duplicates")
            << QByteArray(":/a::/b:/a:") << QStringList{u"/a"_s, u"/b"_s};
    }

    void defaultFiles()
    {
        QFETCH(QByteArray, kubeconfig);
        QFETCH(QStringList, expected);
        if (kubeconfig.isEmpty())
            qunsetenv("KUBECONFIG");
        else
            qputenv("KUBECONFIG", kubeconfig);
        for (QString &file : expected)
            file.replace(u"HOME"_s, m_home.path());
        QCOMPARE(Kubeconfig::defaultFiles(), expected);
        qunsetenv("KUBECONFIG");
    }

    void connectionSettings_unreadableClientKey_namesFileUserAndContext()
    {
        QTemporaryDir dir;
        writeFile(
            dir.filePath(u"config"_s),
            "clusters:\n- name: c\n  cluster:\n    server: https://c.example\n"
            "users:\n- name: admin\n  user:\n    client-certificate-data: Y2VydA==\n    client-key: k.pem\n"
            "contexts:\n- name: dev\n  context: {cluster: c, user: admin}\n");
        const Kubeconfig config = Kubeconfig::load({dir.filePath(u"config"_s)});
        QString error;
        QVERIFY(!settingsFor(config, u"dev"_s, &error));
        QCOMPARE(error, u"cannot read client-key "_s + dir.filePath(u"k.pem"_s) +
                            u": No such file or directory (user admin, context dev)");
    }

    void connectionSettings_proxyScheme_data()
    {
        QTest::addColumn<QString>("proxy");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("http") << u"http://proxy.corp:3128"_s << true;
        QTest::newRow("https") << u"https://proxy.corp:3128"_s << true;
        QTest::newRow("socks5") << u"socks5://localhost:1080"_s << true;
        QTest::newRow("ftp") << u"ftp://proxy.corp"_s << false;
        QTest::newRow("no scheme") << u"proxy.corp:3128"_s << false;
    }

    void connectionSettings_proxyScheme()
    {
        QFETCH(QString, proxy);
        QFETCH(bool, accepted);
        QTemporaryDir dir;
        writeFile(dir.filePath(u"config"_s),
                  "clusters:\n- name: c\n  cluster:\n    server: https://c.example\n    proxy-url: " +
                      proxy.toUtf8() +
                      "\nusers:\n- name: u\n  user:\n    username: admin\n    password: secret\n"
                      "contexts:\n- name: dev\n  context: {cluster: c, user: u}\n");
        QString error;
        const auto settings = settingsFor(Kubeconfig::load({dir.filePath(u"config"_s)}), u"dev"_s, &error);
        QCOMPARE(bool(settings), accepted);
        if (accepted) {
            QCOMPARE(settings->proxyUrl, QUrl(proxy));
            QCOMPARE(settings->username, u"admin"_s);
            QCOMPARE(settings->password, u"secret"_s);
        } else {
            QCOMPARE(error, u"proxy-url "_s + proxy +
                                u" of cluster c (context dev) is not an http://, https:// or socks5:// URL");
        }
    }

    void connectionSettings_tokenFile_keepsPath()
    {
        QTemporaryDir dir;
        writeFile(dir.filePath(u"token"_s), "sa-token\n");
        writeFile(dir.filePath(u"config"_s),
                  "clusters:\n- name: c\n  cluster:\n    server: https://c.example\n"
                  "users:\n- name: sa\n  user:\n    tokenFile: token\n"
                  "contexts:\n- name: dev\n  context: {cluster: c, user: sa, namespace: tsdb}\n");
        QString error;
        const auto settings = settingsFor(Kubeconfig::load({dir.filePath(u"config"_s)}), u"dev"_s, &error);
        QVERIFY2(settings, qPrintable(error));
        QCOMPARE(settings->tokenFile, dir.filePath(u"token"_s));
        QCOMPARE(settings->defaultNamespace, u"tsdb"_s);
        QCOMPARE(settings->userName, u"sa"_s);
        QCOMPARE(settings->clusterName, u"c"_s);
    }
};

QTEST_GUILESS_MAIN(TestKubeconfig)
#include "tst_kubeconfig.moc"
