#include "adapter/crypto/kek.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "adapter/crypto/test_keys.h"

namespace sa::adapter::crypto {
namespace {

namespace fs = std::filesystem;

class KekTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sa-kek-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    fs::remove_all(dir_);
    ::unsetenv(kVar);
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return (dir_ / name).string();
  }
  static constexpr const char* kVar = "SA_CRYPTO_TEST_KEK";
  fs::path dir_;
};

// 16 random-looking bytes in base64: valid base64, wrong length for a KEK.
constexpr const char* kShortKey = "Q0FOQVJZLWNyeXB0by0xNg==";
// 33 bytes: one too many.
constexpr const char* kLongKey = "Q0FOQVJZLWNyeXB0by0zM2J5dGVzLWxvbmctLS0tLS0t";

TEST_F(KekTest, GeneratedKeyIs44CharsOfBase64AndLoadsFromFile) {
  auto b64 = GenerateKekBase64();
  ASSERT_TRUE(b64.ok()) << b64.status().ToString();
  EXPECT_EQ(b64->size(), 44u);
  auto kek = LoadKekFromFile(Write("kek.b64", *b64 + "\n"));
  ASSERT_TRUE(kek.ok()) << kek.status().ToString();
  EXPECT_EQ(kek->key.size(), kKekBytes);
  EXPECT_TRUE(IsValidKekId(kek->id));
}

TEST_F(KekTest, GeneratedKeysDiffer) {
  auto a = GenerateKekBase64();
  auto b = GenerateKekBase64();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
}

TEST_F(KekTest, IdIsFirstEightBytesOfSha256OfKey) {
  // SHA-256 of 32 zero bytes = 66687aadf862bd77 6c8fc1...
  auto kek = KekFromBytes(SecretBytes(32));
  ASSERT_TRUE(kek.ok());
  EXPECT_EQ(kek->id, "66687aadf862bd77");
}

TEST_F(KekTest, SameKeyFromFileAndEnvHasSameId) {
  auto b64 = GenerateKekBase64();
  ASSERT_TRUE(b64.ok());
  ASSERT_EQ(::setenv(kVar, (" \t" + *b64 + "\r\n").c_str(), 1), 0);
  auto from_env = LoadKekFromEnv(kVar);
  auto from_file = LoadKekFromFile(Write("kek.b64", "\n  " + *b64 + "  \n"));
  ASSERT_TRUE(from_env.ok()) << from_env.status().ToString();
  ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
  EXPECT_EQ(from_env->id, from_file->id);
  EXPECT_TRUE(from_env->key == from_file->key);
}

TEST_F(KekTest, WrongLengthFileIsInvalidArgumentNamingFileNotKey) {
  for (const char* text : {kShortKey, kLongKey}) {
    std::string path = Write("short.b64", std::string(text) + "\n");
    auto kek = LoadKekFromFile(path);
    ASSERT_FALSE(kek.ok());
    EXPECT_EQ(kek.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(kek.status().message().find(path), std::string::npos) << kek.status().message();
    EXPECT_EQ(kek.status().message().find(text), std::string::npos) << kek.status().message();
    EXPECT_NE(kek.status().message().find("expected 32 bytes"), std::string::npos);
  }
}

TEST_F(KekTest, BadBase64FileIsInvalidArgumentWithoutEchoingText) {
  auto good = GenerateKekBase64();
  ASSERT_TRUE(good.ok());
  std::string with_newline_inside = good->substr(0, 20) + "\n" + good->substr(20);
  std::string with_bad_char = *good;
  with_bad_char[5] = '!';
  std::string pad_in_middle = *good;
  pad_in_middle[10] = '=';
  for (const std::string& text :
       {std::string("CANARY-crypto-not-base64!!"), with_newline_inside, with_bad_char, pad_in_middle,
        good->substr(0, 43), std::string("====")}) {
    std::string path = Write("bad.b64", text);
    auto kek = LoadKekFromFile(path);
    ASSERT_FALSE(kek.ok()) << text;
    EXPECT_EQ(kek.status().code(), StatusCode::kInvalidArgument) << kek.status().ToString();
    EXPECT_NE(kek.status().message().find(path), std::string::npos);
    EXPECT_EQ(kek.status().message().find("CANARY-crypto-"), std::string::npos);
    EXPECT_EQ(kek.status().message().find(good->substr(0, 12)), std::string::npos) << kek.status().message();
  }
}

TEST_F(KekTest, EmptyAndOversizedFilesAreRejected) {
  auto empty = LoadKekFromFile(Write("empty.b64", " \n"));
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  auto big = LoadKekFromFile(Write("big.b64", std::string(kMaxKekTextBytes + 1, 'A')));
  EXPECT_EQ(big.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(KekTest, MissingFileIsNotFoundNamingPath) {
  std::string path = (dir_ / "absent.b64").string();
  auto kek = LoadKekFromFile(path);
  ASSERT_FALSE(kek.ok());
  EXPECT_EQ(kek.status().code(), StatusCode::kNotFound);
  EXPECT_NE(kek.status().message().find(path), std::string::npos);
}

TEST_F(KekTest, DirectoryInsteadOfFileIsAnError) {
  auto kek = LoadKekFromFile(dir_.string());
  EXPECT_FALSE(kek.ok());
}

TEST_F(KekTest, UnsetEnvIsNotFoundNamingVariable) {
  ::unsetenv(kVar);
  auto kek = LoadKekFromEnv(kVar);
  ASSERT_FALSE(kek.ok());
  EXPECT_EQ(kek.status().code(), StatusCode::kNotFound);
  EXPECT_NE(kek.status().message().find(kVar), std::string::npos);
}

TEST_F(KekTest, BadEnvValuesAreInvalidArgumentNamingVariableNotValue) {
  for (const char* text : {kShortKey, kLongKey, "CANARY-crypto-env-not-base64", ""}) {
    ASSERT_EQ(::setenv(kVar, text, 1), 0);
    auto kek = LoadKekFromEnv(kVar);
    ASSERT_FALSE(kek.ok()) << text;
    EXPECT_EQ(kek.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(kek.status().message().find(kVar), std::string::npos);
    if (*text != '\0') {
      EXPECT_EQ(kek.status().message().find(text), std::string::npos) << kek.status().message();
    }
  }
}

TEST_F(KekTest, KekFromBytesRejectsWrongLength) {
  EXPECT_EQ(KekFromBytes(SecretBytes(31)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(KekFromBytes(SecretBytes(33)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(KekFromBytes(SecretBytes()).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(KekTest, KekIdShapeCheck) {
  EXPECT_TRUE(IsValidKekId("0123456789abcdef"));
  EXPECT_FALSE(IsValidKekId("0123456789ABCDEF"));
  EXPECT_FALSE(IsValidKekId("0123456789abcde"));
  EXPECT_FALSE(IsValidKekId("0123456789abcdeg"));
  EXPECT_FALSE(IsValidKekId(""));
}

}  // namespace
}  // namespace sa::adapter::crypto
