using TrapDebugger.Elf.Demangling;
using TrapDebugger.TestSupport;

namespace TrapDebugger.Elf.Tests.Demangling;

/// <summary>Hand-picked names for each construct of the Itanium and Rust v0 grammars, checked against llvm-cxxfilt, and hostile input.</summary>
public sealed class DemanglerTests
{
    /// <summary>One mangled name per construct; the expected text comes from llvm-cxxfilt at test time.</summary>
    public static TheoryData<string> Constructs() =>
    [
        "_ZNSt6vectorIS_IiSaIiEESaIS1_EE5beginEv", "_Z1fIiEvT_", "_ZNKSs4sizeEv", "_ZNSsC1Ev", "_ZN1AC2ERKS_", "_Z1fPFivE",
        "_Z1fPA3_i", "_Z1fM1AFivE", "_Z1fIJidEEvDpT_", "_Z1fv.cold", "_Z1fv.isra.0.cold", "_Z1fv.constprop.0", "_ZZ4mainENKUliE_clEi",
        "_ZZ4mainENKUliE0_clEi", "_Z1fIiLi5EEvv", "_Z1fIcLc97EEvv", "_ZTV1A", "_ZTI1A", "_ZTS1A", "_ZTT1A", "_ZGVZ1fvE1x",
        "_ZTv0_n24_N1A1fEv", "_ZThn8_N1AD1Ev", "_ZTch0_h16_N1A1fEv", "_ZTCN10__cxxabiv117__class_type_infoE0_NS_17__pbase_type_infoE",
        "_ZTW1x", "_ZTH1x", "_ZGR1x_", "_ZN12_GLOBAL__N_11fEv", "_ZN1AB5cxx11Ev", "_Z1fIbLb1EEvv", "_Z1fIiEDTplfp_fp_ET_",
        "_ZdlPv", "_Znwm", "_ZplRK1AS1_", "_ZN1AcviEv", "_Z1fRA10_KPFvvE", "_Z1fPKc", "_Z1fDn", "_ZNSo5flushEv", "_ZNSdD0Ev",
        "_ZSt4cout", "_Z1fDv4_f", "_ZNK1AcvT_IiEEv", "_Z1fUa9enable_ifILb1EEv", "_ZN1A1fEOS_", "_Z1fIiEvPFT_vE", "_ZZ1fvEN1A1gEv",
        "_ZZ1fvE1x_0", "_ZZ1fvEs", "_Z1fILi1ELin1EEvv", "_Z1fIfLf3f800000EEvv", "_Z1fIdLd4000000000000000EEvv", "_Z1fImLm5EEvv",
        "_Z1fIsLs5EEvv", "_Z1fPrVKi", "_ZNKR1A1fEv", "_ZNKO1A1fEv", "_Z1fPKFvvE", "_Z1fPDoFvvE", "_ZN1AixEi", "_ZN1AclEv",
        "_ZN1AaSERKS_", "_ZN1AeqERKS_", "_Zli2_xPKc", "_Z1fCd", "_Z1fDF16_", "_Z1fDu", "_Z1fDi", "_Z1fDs", "_Z1fSt9nullptr_t",
        "_Z1fIJEEvDpT_", "_ZSt10_ConstructIiJRKiEEvPT_DpOT0_",
        "_Z1fIiQ1CIT_EEvv", "_Z1fIiEDk1Cv", "_Z1fIiEDK1Cv", "_Z1fITk1CiEvT_", "_Z1gIiEvvQ1CITL0__E", "_Z1fIiEvvQrqXadL_Z1gvENR1DE",
        "_Z1fIiEvvQrqXadL_Z1gvETT_Q1CIT_EE", "_Z1fIiEvvQrQT__Xfp_E", "_Z1fIiEvvQrQT__Xfp_NE", "_Z1fIiEvRAstT__i", "_Z1fPA_i", "_ZN1A1BUt_E", "_ZN1A1BUt0_E", "_ZZ4mainENKUlT_E_clIiEEDaS_", "_ZZ4mainENKUlT_T0_E_clIicEEDaS_S0_",
        "_RNvCs1234_7mycrate3foo", "_RNvCs1234_7mycrate3foo.llvm.123", "_RINvCs1234_7mycrate3fooKj3_EB2_", "_RINvCs1234_7mycrate3fooKb1_EB2_",
        "_RINvCs1234_7mycrate3fooKc41_EB2_", "_RINvCs1234_7mycrate3fooFUKCEuEB2_", "_RINvCs1234_7mycrate3fooDNtCs1234_4core3FmtEL_EB2_",
        "_RINvCs1234_7mycrate3fooTlEEB2_", "_RINvCs1234_7mycrate3fooKln5_EB2_", "_RINvCs1234_7mycrate3fooRL_eEB2_",
        "_RINvCs1234_7mycrate3fooQeEB2_", "_RINvCs1234_7mycrate3fooAhKj4_EB2_", "_RINvCs1234_7mycrate3fooSmPaOxEB2_",
        "_RNCNvCs1234_7mycrate3foos0_0", "_RNSNvCs1234_7mycrate3foo6vtable", "_RMCs1234_7mycrateNtB2_3Foo",
        "_RXCs1234_7mycrateNtB2_3FooNtNtCs1234_4core3fmt7Display", "_RYNtCs1234_7mycrate3FooNtB4_5Trait",
        "_RINvCs1234_7mycrate3fooFG_RL0_hEuEB2_", "_RNvCs1234_7mycrate7u7_gdkcb",
    ];

    [Theory]
    [MemberData(nameof(Constructs))]
    public void ConstructAgreesWithLlvmCxxfilt(string mangled)
    {
        var r = Toolchain.Run(Toolchain.LlvmCxxfilt, [mangled]);
        Assert.Equal(r.Stdout.TrimEnd('\n'), Demangler.Demangle(mangled));
    }

    [Theory]
    [InlineData("main")]
    [InlineData("")]
    [InlineData("_Z")]
    [InlineData("_Z1")]
    [InlineData("_ZN")]
    [InlineData("_Z999999999999a")]
    [InlineData("_ZSA_")]
    [InlineData("_ZNK")]
    [InlineData("_R")]
    [InlineData("_RB_")]
    [InlineData("_RNvB0_3foo")]
    [InlineData("__libc_start_main")]
    [InlineData("_Z1fIT_EvT_")]
    public void InvalidNamesComeBackUnchanged(string input) => Assert.Equal(input, Demangler.Demangle(input));

    [Fact]
    public void DeeplyNestedNamesAreRejectedWithoutExhaustingTheStack()
    {
        string pointers = "_Z1f" + new string('P', 100_000) + "i";
        Assert.Equal(pointers, Demangler.Demangle(pointers));
        string templates = "_Z1f" + string.Concat(Enumerable.Repeat("1AI", 20_000)) + "i" + new string('E', 20_000) + "v";
        Assert.Equal(templates, Demangler.Demangle(templates));
        string rust = "_R" + string.Concat(Enumerable.Repeat("INv", 20_000)) + "Cs_1a3foo";
        Assert.Equal(rust, Demangler.Demangle(rust));
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var random = new Random(42);
        const string alphabet = "_ZRNSEIJLTDKVrMPOCUFAXabcdefghijlmnostuvwxyz0123456789.";
        for (int i = 0; i < 20_000; i++)
        {
            var chars = new char[random.Next(1, 40)];
            for (int j = 0; j < chars.Length; j++) chars[j] = alphabet[random.Next(alphabet.Length)];
            string input = (i % 2 == 0 ? "_Z" : "_R") + new string(chars);
            var result = Demangler.Demangle(input);
            Assert.NotNull(result);
        }
    }
}
