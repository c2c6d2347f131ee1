#include "enforcer/vault.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "common/crypto.h"
#include "common/files.h"

namespace custodian::enforcer {
namespace {

constexpr unsigned char kFormat = 1;

struct CipherCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
};

}  // namespace

SecretBytes::SecretBytes(std::size_t size) : size_(size) {
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  mapped_ = std::max<std::size_t>(page, (size + page - 1) / page * page);
  void* p = ::mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  data_ = static_cast<unsigned char*>(p);
  // Locking can fail under a small RLIMIT_MEMLOCK; the secret is still
  // zeroised, and locked() tells.
  locked_ = ::mlock(data_, mapped_) == 0;
  ::madvise(data_, mapped_, MADV_DONTDUMP);
}

SecretBytes::SecretBytes(std::string_view bytes) : SecretBytes(bytes.size()) {
  if (!bytes.empty()) std::memcpy(data_, bytes.data(), bytes.size());
}

SecretBytes::~SecretBytes() { Release(); }

void SecretBytes::Truncate(std::size_t n) {
  if (n >= size_) return;
  OPENSSL_cleanse(data_ + n, size_ - n);
  size_ = n;
}

void SecretBytes::Release() {
  if (!data_) return;
  OPENSSL_cleanse(data_, mapped_);
  if (locked_) ::munlock(data_, mapped_);
  ::munmap(data_, mapped_);
  data_ = nullptr;
  size_ = mapped_ = 0;
  locked_ = false;
}

SecretBytes::SecretBytes(SecretBytes&& o) noexcept
    : data_(o.data_), size_(o.size_), mapped_(o.mapped_), locked_(o.locked_) {
  o.data_ = nullptr;
  o.size_ = o.mapped_ = 0;
  o.locked_ = false;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& o) noexcept {
  if (this != &o) {
    Release();
    data_ = o.data_;
    size_ = o.size_;
    mapped_ = o.mapped_;
    locked_ = o.locked_;
    o.data_ = nullptr;
    o.size_ = o.mapped_ = 0;
    o.locked_ = false;
  }
  return *this;
}

Vault Vault::WithRandomKey() {
  SecretBytes key(kKeyBytes);
  const std::string random = crypto::RandomBytes(kKeyBytes);
  std::memcpy(key.data(), random.data(), kKeyBytes);
  OPENSSL_cleanse(const_cast<char*>(random.data()), random.size());
  return Vault(std::move(key));
}

std::optional<Vault> Vault::FromKeyFile(const std::filesystem::path& path, std::string* error) {
  if (!std::filesystem::exists(path)) {
    SecretBytes fresh(kKeyBytes);
    const std::string random = crypto::RandomBytes(kKeyBytes);
    std::memcpy(fresh.data(), random.data(), kKeyBytes);
    const bool ok = WriteNewFile(path.string(), fresh.view(), 0600, error);
    OPENSSL_cleanse(const_cast<char*>(random.data()), random.size());
    if (!ok) return std::nullopt;
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = path.string() + ": " + std::strerror(errno);
    return std::nullopt;
  }
  SecretBytes key(kKeyBytes);
  const ssize_t n = ::read(fd, key.data(), kKeyBytes);
  unsigned char extra;
  const bool more = ::read(fd, &extra, 1) > 0;
  ::close(fd);
  if (n != static_cast<ssize_t>(kKeyBytes) || more) {
    *error = path.string() + ": not a 32-byte vault key";
    return std::nullopt;
  }
  return Vault(std::move(key));
}

std::string Vault::Seal(std::string_view plaintext, std::string_view associated) const {
  const std::string nonce = crypto::RandomBytes(kNonceBytes);
  std::string out;
  out.resize(1 + kNonceBytes + plaintext.size() + kTagBytes);
  out[0] = static_cast<char>(kFormat);
  std::memcpy(out.data() + 1, nonce.data(), kNonceBytes);
  auto* cipher = reinterpret_cast<unsigned char*>(out.data() + 1 + kNonceBytes);
  CipherCtx c;
  int len = 0;
  const bool ok =
      c.ctx && EVP_EncryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
      EVP_EncryptInit_ex(c.ctx, nullptr, nullptr, key_->data(),
                         reinterpret_cast<const unsigned char*>(nonce.data())) == 1 &&
      EVP_EncryptUpdate(c.ctx, nullptr, &len,
                        reinterpret_cast<const unsigned char*>(associated.data()),
                        static_cast<int>(associated.size())) == 1 &&
      EVP_EncryptUpdate(c.ctx, cipher, &len,
                        reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(c.ctx, cipher + len, &len) == 1 &&
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes, cipher + plaintext.size()) == 1;
  if (!ok) std::abort();  // only on exhausted memory or a broken OpenSSL
  return out;
}

std::optional<SecretBytes> Vault::Open(std::string_view sealed, std::string_view associated) const {
  if (sealed.size() < 1 + kNonceBytes + kTagBytes ||
      static_cast<unsigned char>(sealed[0]) != kFormat) {
    return std::nullopt;
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data() + 1);
  const std::size_t cipher_size = sealed.size() - 1 - kNonceBytes - kTagBytes;
  const auto* cipher = nonce + kNonceBytes;
  std::string tag(sealed.substr(1 + kNonceBytes + cipher_size));
  SecretBytes plain(cipher_size);
  CipherCtx c;
  int len = 0;
  const bool ok =
      c.ctx && EVP_DecryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
      EVP_DecryptInit_ex(c.ctx, nullptr, nullptr, key_->data(), nonce) == 1 &&
      EVP_DecryptUpdate(c.ctx, nullptr, &len,
                        reinterpret_cast<const unsigned char*>(associated.data()),
                        static_cast<int>(associated.size())) == 1 &&
      EVP_DecryptUpdate(c.ctx, plain.data(), &len, cipher, static_cast<int>(cipher_size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(c.ctx, plain.data() + len, &len) == 1;
  if (!ok) return std::nullopt;  // `plain` is zeroised as it goes
  return plain;
}

std::string SessionBinding(std::string_view endpoint_id, std::string_view session_id) {
  // Lengths first, so that no two (endpoint, session) pairs share a binding.
  return "custodian-vault-v1|" + std::to_string(endpoint_id.size()) + ":" +
         std::string(endpoint_id) + "|" + std::to_string(session_id.size()) + ":" +
         std::string(session_id);
}

}  // namespace custodian::enforcer
