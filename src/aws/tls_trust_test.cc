#include "aws/tls_trust.h"

#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "util/testing/aws_env.h"
#include "util/testing/temp_dir.h"

namespace s3c::aws {
namespace {

using Vars = std::map<std::string, std::string>;

// A host whose only files and hashed folders are the ones given.
TlsTrust::Probe Host(std::set<std::string> files, std::set<std::string> folders = {}) {
  TlsTrust::Probe probe;
  probe.readable_file = [files](const std::string& p) { return files.count(p) > 0; };
  probe.hashed_folder = [folders](const std::string& p) { return folders.count(p) > 0; };
  return probe;
}

arrow::Result<TlsTrust> Find(Vars vars, const TlsTrust::Probe& probe) {
  return TlsTrust::Find(testing::ConfigFromVars(std::move(vars)), probe);
}

TEST(TlsTrust, EachDistributionsBundleIsFound) {
  for (const std::string& file : TlsTrust::KnownFiles()) {
    auto trust = Find({}, Host({file}));
    ASSERT_TRUE(trust.ok()) << file << ": " << trust.status();
    EXPECT_EQ(trust->ca_file, file);
    EXPECT_EQ(trust->ca_dir, "");
  }
  // Amazon Linux 2 has two of them; the first in the list wins, the same on every run.
  auto al2 = Find({}, Host({"/etc/pki/tls/certs/ca-bundle.crt",
                            "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"}));
  ASSERT_TRUE(al2.ok());
  EXPECT_EQ(al2->ca_file, "/etc/pki/tls/certs/ca-bundle.crt");
  // Only a hashed folder: curl and Arrow are given the folder and no file.
  auto folder = Find({}, Host({}, {"/etc/ssl/certs"}));
  ASSERT_TRUE(folder.ok());
  EXPECT_EQ(folder->ca_file, "");
  EXPECT_EQ(folder->ca_dir, "/etc/ssl/certs");
}

TEST(TlsTrust, VariablesComeBeforeTheSystemsBundle) {
  const auto host = Host({"/etc/ssl/certs/ca-certificates.crt", "/mine.pem", "/ssl.pem"},
                         {"/hashed"});
  auto aws = Find({{"AWS_CA_BUNDLE", "/mine.pem"}, {"SSL_CERT_FILE", "/ssl.pem"}}, host);
  ASSERT_TRUE(aws.ok());
  EXPECT_EQ(aws->ca_file, "/mine.pem");
  EXPECT_EQ(aws->source, "AWS_CA_BUNDLE (/mine.pem)");
  auto ssl = Find({{"SSL_CERT_FILE", "/ssl.pem"}, {"SSL_CERT_DIR", "/nothing:/hashed"}}, host);
  ASSERT_TRUE(ssl.ok());
  EXPECT_EQ(ssl->ca_file, "/ssl.pem");
  EXPECT_EQ(ssl->ca_dir, "/hashed");
  EXPECT_EQ(ssl->source, "SSL_CERT_FILE (/ssl.pem) and SSL_CERT_DIR (/hashed)");
  auto dir = Find({{"SSL_CERT_DIR", "/hashed"}}, host);
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(dir->ca_file, "");
  EXPECT_EQ(dir->ca_dir, "/hashed");
}

TEST(TlsTrust, TheProfilesCaBundleComesAfterAwsCaBundle) {
  const testing::TempDir dir;
  const auto config = (dir / "config").string();
  std::ofstream(config) << "[profile p]\nca_bundle = /profile.pem\n";
  const auto host = Host({"/profile.pem", "/env.pem", "/etc/ssl/certs/ca-certificates.crt"});
  auto profile = Find({{"AWS_CONFIG_FILE", config}, {"AWS_PROFILE", "p"}}, host);
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->ca_file, "/profile.pem");
  auto env = Find({{"AWS_CONFIG_FILE", config}, {"AWS_PROFILE", "p"}, {"AWS_CA_BUNDLE", "/env.pem"}},
                  host);
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->ca_file, "/env.pem");
}

TEST(TlsTrust, ANamedFileThatIsMissingIsAnErrorNotAFallback) {
  const auto host = Host({"/etc/ssl/certs/ca-certificates.crt"});
  auto missing = Find({{"AWS_CA_BUNDLE", "/gone.pem"}}, host);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "AWS_CA_BUNDLE names '/gone.pem', which is not a readable, non-empty file of CA "
            "certificates");
  auto dir = Find({{"SSL_CERT_DIR", "/a:/b"}}, host);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().message(),
            "SSL_CERT_DIR names '/a:/b', which holds no hashed CA certificate (run c_rehash on it)");
}

TEST(TlsTrust, NothingFoundNamesEveryPathTriedOnOneLine) {
  auto none = Find({}, Host({}));
  ASSERT_FALSE(none.ok());
  const std::string message = none.status().message();
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_NE(message.find("no CA certificates for HTTPS"), std::string::npos);
  EXPECT_NE(message.find("AWS_CA_BUNDLE"), std::string::npos);
  for (const auto& path : TlsTrust::KnownFiles()) {
    EXPECT_NE(message.find(path), std::string::npos) << path;
  }
  for (const auto& path : TlsTrust::KnownFolders()) {
    EXPECT_NE(message.find(path), std::string::npos) << path;
  }
}

TEST(TlsTrust, TheRealProbeReadsTheFileSystem) {
  const testing::TempDir dir;
  const auto probe = TlsTrust::RealProbe();
  const auto pem = (dir / "ca.pem").string();
  std::ofstream(pem) << "-----BEGIN CERTIFICATE-----\n";
  const auto empty = (dir / "empty.pem").string();
  std::ofstream(empty).flush();
  EXPECT_TRUE(probe.readable_file(pem));
  EXPECT_FALSE(probe.readable_file(empty));
  EXPECT_FALSE(probe.readable_file(dir.path().string()));  // a folder is not a bundle
  EXPECT_FALSE(probe.readable_file((dir / "nope").string()));
  std::filesystem::create_directory(dir / "certs");
  EXPECT_FALSE(probe.hashed_folder((dir / "certs").string()));
  std::ofstream(dir / "certs" / "README") << "x";
  std::ofstream(dir / "certs" / "3513523f.x") << "x";
  EXPECT_FALSE(probe.hashed_folder((dir / "certs").string()));
  std::ofstream(dir / "certs" / "3513523f.0") << "x";
  EXPECT_TRUE(probe.hashed_folder((dir / "certs").string()));
}

}  // namespace
}  // namespace s3c::aws
