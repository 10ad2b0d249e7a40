// Real-serializer oracle for the ProcessOne data contracts (Mono's System.Runtime.Serialization).
// Everything it knows about the contracts comes from specs/processone/contracts/*.xsd: no hand-written
// contract classes. Modes (see README.md):
//   gen     <xsd-dir> <out.cs>                 import the XSDs (XsdDataContractImporter), strip IExtensibleDataObject, write C#
//   check   <xsd-dir> <Contracts.dll>          export the compiled types again (XsdDataContractExporter), compare item by item
//   samples <Contracts.dll> <fixtures-dir>     DCS-read + DCS-write every seed XML sample, require identical bytes
//   serve   <Contracts.dll>                    line protocol on stdin/stdout for the Rust tests
using System;
using System.CodeDom;
using System.CodeDom.Compiler;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Serialization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Schema;
using Microsoft.CSharp;

static class Oracle
{
    const string SerNs = "http://schemas.microsoft.com/2003/10/Serialization/";
    const string XsNs = "http://www.w3.org/2001/XMLSchema";

    static int Main(string[] args)
    {
        try
        {
            if (args.Length == 3 && args[0] == "gen") return Gen(args[1], args[2]);
            if (args.Length == 3 && args[0] == "check") return Check(args[1], args[2]);
            if (args.Length == 3 && args[0] == "samples") return Samples(args[1], args[2]);
            if (args.Length == 2 && args[0] == "serve") return Serve(args[1]);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine("oracle: " + e);
            return 2;
        }
        Console.Error.WriteLine("usage: Oracle.exe gen <xsd-dir> <out.cs> | check <xsd-dir> <Contracts.dll> | samples <Contracts.dll> <fixtures-dir> | serve <Contracts.dll>");
        return 64;
    }

    // ------------------------------------------------------------------ schemas
    static XmlSchemaSet LoadSchemas(string dir)
    {
        var set = new XmlSchemaSet();
        set.XmlResolver = null; // every file is added below; schemaLocation hints are for other tools
        var errors = new List<string>();
        set.ValidationEventHandler += (s, e) => errors.Add(e.Severity + ": " + e.Message);
        foreach (var f in Directory.GetFiles(dir, "*.xsd").OrderBy(x => x, StringComparer.Ordinal))
        {
            using (var r = XmlReader.Create(f, new XmlReaderSettings { XmlResolver = null }))
                set.Add(XmlSchema.Read(r, (s, e) => errors.Add(Path.GetFileName(f) + ": " + e.Message)));
        }
        set.Compile();
        if (errors.Count > 0) throw new Exception("schema errors:\n  " + string.Join("\n  ", errors));
        return set;
    }

    // ------------------------------------------------------------------ gen
    static int Gen(string xsdDir, string outCs)
    {
        var set = LoadSchemas(xsdDir);
        var unit = new CodeCompileUnit();
        var importer = new XsdDataContractImporter(unit);
        importer.Options = new ImportOptions { GenerateSerializable = false, EnableDataBinding = false, GenerateInternal = false };
        if (!importer.CanImport(set)) throw new Exception("XsdDataContractImporter.CanImport() is false for our schemas");
        importer.Import(set);
        int stripped = 0;
        foreach (CodeNamespace ns in unit.Namespaces)
            foreach (CodeTypeDeclaration t in ns.Types)
            {
                // DATACONTRACT-WIRE.md: IExtensibleDataObject makes DCS keep and re-emit unknown or misplaced
                // elements, which would hide exactly the ordering / namespace mistakes this oracle must catch.
                for (int i = t.BaseTypes.Count - 1; i >= 0; i--)
                    if (t.BaseTypes[i].BaseType.EndsWith("IExtensibleDataObject")) { t.BaseTypes.RemoveAt(i); stripped++; }
                for (int i = t.Members.Count - 1; i >= 0; i--)
                {
                    var m = t.Members[i];
                    bool ext = (m is CodeMemberField && ((CodeMemberField)m).Type.BaseType.EndsWith("ExtensionDataObject"))
                            || (m is CodeMemberProperty && ((CodeMemberProperty)m).Type.BaseType.EndsWith("ExtensionDataObject"));
                    if (ext) t.Members.RemoveAt(i);
                }
            }
        var sb = new StringBuilder();
        using (var w = new StringWriter(sb))
            new CSharpCodeProvider().GenerateCodeFromCompileUnit(unit, w, new CodeGeneratorOptions { BracingStyle = "C" });
        var code = sb.ToString();
        if (code.Contains("IExtensibleDataObject") || code.Contains("ExtensionDataObject"))
            throw new Exception("IExtensibleDataObject still present after stripping");
        File.WriteAllText(outCs, code);
        Console.WriteLine("gen: imported {0} namespaces, {1} types; IExtensibleDataObject removed from {2} classes",
            unit.Namespaces.Count, unit.Namespaces.Cast<CodeNamespace>().Sum(n => n.Types.Count), stripped);
        return 0;
    }

    // ------------------------------------------------------------------ contracts assembly
    static List<Type> ContractTypes(Assembly asm)
    {
        return asm.GetTypes().Where(t => t.GetCustomAttributes(typeof(DataContractAttribute), false).Length > 0)
                  .OrderBy(t => t.FullName, StringComparer.Ordinal).ToList();
    }

    static Dictionary<string, Type> ByName(Assembly asm)
    {
        // keys: "{ns}Name" (Clark) and "<Area>.<Name>" (fixture / file-stem form, Area = last namespace segment)
        var d = new Dictionary<string, Type>(StringComparer.Ordinal);
        var exp = new XsdDataContractExporter();
        foreach (var t in ContractTypes(asm))
        {
            var q = exp.GetSchemaTypeName(t);
            d["{" + q.Namespace + "}" + q.Name] = t;
            var seg = q.Namespace.Substring(q.Namespace.LastIndexOfAny(new[] { '.', '/' }) + 1);
            d[seg + "." + q.Name] = t;
        }
        return d;
    }

    // ------------------------------------------------------------------ check (import -> export -> compare)
    static int Check(string xsdDir, string dll)
    {
        var ours = LoadSchemas(xsdDir);
        var asm = Assembly.LoadFrom(dll);
        var exporter = new XsdDataContractExporter();
        var types = ContractTypes(asm);
        exporter.Export(types);
        var exported = exporter.Schemas;
        exported.Compile();

        var a = Model(ours);
        var b = Model(exported);
        b.Remove(XsNs); // Mono's exporter adds an empty stub schema for the XSD namespace itself; not a contract.
        var diffs = new List<string>();
        foreach (var ns in a.Keys.Union(b.Keys).OrderBy(x => x, StringComparer.Ordinal))
        {
            if (!a.ContainsKey(ns)) { diffs.Add("namespace " + ns + ": only in the exporter's output"); continue; }
            if (!b.ContainsKey(ns)) { diffs.Add("namespace " + ns + ": only in our XSDs"); continue; }
            var x = a[ns]; var y = b[ns];
            foreach (var k in x.Keys.Union(y.Keys).OrderBy(s => s, StringComparer.Ordinal))
            {
                string xv, yv;
                x.TryGetValue(k, out xv); y.TryGetValue(k, out yv);
                if (xv == yv) continue;
                if (xv == null) diffs.Add(ns + " " + k + ": only in export\n      export: " + yv);
                else if (yv == null) diffs.Add(ns + " " + k + ": only in ours\n      ours:   " + xv);
                else diffs.Add(ns + " " + k + ":\n      ours:   " + xv + "\n      export: " + yv);
            }
        }
        // The round trip cannot see what the importer faithfully carries over, so lint the compiled types for
        // the things that must never appear in this dialect: explicit Order (= members were not in ordinal
        // alphabetical order), IsRequired (= an element without minOccurs="0"), IsReference, and any member
        // or contract the importer had to rename.
        foreach (var t in types)
        {
            var dc = (DataContractAttribute)t.GetCustomAttributes(typeof(DataContractAttribute), false)[0];
            if (dc.IsReference) diffs.Add(t.FullName + ": IsReference=true");
            if (t.IsEnum) continue;
            foreach (var pi in t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                var dm = (DataMemberAttribute)pi.GetCustomAttributes(typeof(DataMemberAttribute), false).FirstOrDefault();
                if (dm == null) { diffs.Add(t.FullName + "." + pi.Name + ": property without [DataMember]"); continue; }
                if (dm.Order != -1) diffs.Add(t.FullName + "." + pi.Name + ": the importer assigned Order=" + dm.Order + " (members not in ordinal alphabetical order)");
                if (dm.IsRequired) diffs.Add(t.FullName + "." + pi.Name + ": IsRequired=true (element without minOccurs=\"0\")");
                if (dm.Name != null && dm.Name != pi.Name) diffs.Add(t.FullName + "." + pi.Name + ": member renamed by the importer from " + dm.Name);
            }
        }
        int items = a.Values.Sum(v => v.Count);
        if (diffs.Count > 0)
        {
            Console.WriteLine("check: FAIL, {0} differences between our XSDs and XsdDataContractExporter's output:", diffs.Count);
            foreach (var d in diffs) Console.WriteLine("  " + d);
            return 1;
        }
        Console.WriteLine("check: OK, {0} namespaces, {1} schema items (types, members, global elements, enum values) identical after import -> compile -> export ({2} CLR types)",
            a.Count, items, types.Count);
        return 0;
    }

    // Normalised, order-preserving description of every schema item; annotations are reduced to the ones
    // that carry DataContract meaning (appinfo in the Serialization namespace). xs:documentation and
    // foreign appinfo (payspec:Sensitive) are not part of the contract and are ignored here.
    static Dictionary<string, Dictionary<string, string>> Model(XmlSchemaSet set)
    {
        var res = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (XmlSchema s in set.Schemas())
        {
            var ns = s.TargetNamespace ?? "";
            Dictionary<string, string> d;
            if (!res.TryGetValue(ns, out d)) res[ns] = d = new Dictionary<string, string>(StringComparer.Ordinal);
            d["(schema)"] = "elementFormDefault=" + s.ElementFormDefault + " attributeFormDefault=" + s.AttributeFormDefault
                + " imports=[" + string.Join(",", s.Includes.OfType<XmlSchemaImport>().Select(i => i.Namespace).OrderBy(i => i, StringComparer.Ordinal)) + "]";
            foreach (XmlSchemaObject o in s.Items)
            {
                if (o is XmlSchemaElement)
                {
                    var e = (XmlSchemaElement)o;
                    d["element " + e.Name] = "type=" + e.SchemaTypeName + " nillable=" + e.IsNillable + Ann(e.Annotation);
                }
                else if (o is XmlSchemaComplexType)
                {
                    var t = (XmlSchemaComplexType)o;
                    var sb = new StringBuilder();
                    sb.Append("mixed=" + t.IsMixed + " abstract=" + t.IsAbstract + Ann(t.Annotation));
                    XmlSchemaParticle particle = t.Particle;
                    if (t.ContentModel != null)
                    {
                        sb.Append(" content=" + t.ContentModel.GetType().Name);
                        var cc = t.ContentModel as XmlSchemaComplexContent;
                        if (cc != null) sb.Append(" contentMixed=" + cc.IsMixed);
                        var ext = t.ContentModel.Content as XmlSchemaComplexContentExtension;
                        if (ext != null) { sb.Append(" extension-of=" + ext.BaseTypeName); particle = ext.Particle; if (ext.Attributes.Count > 0) sb.Append(" ATTRIBUTES"); }
                        else sb.Append(" UNSUPPORTED-CONTENT=" + t.ContentModel.Content.GetType().Name);
                    }
                    if (t.Attributes.Count > 0 || t.AnyAttribute != null) sb.Append(" ATTRIBUTES");
                    d["type " + t.Name] = sb.ToString();
                    var seq = particle as XmlSchemaSequence;
                    if (particle != null && seq == null) d["type " + t.Name] += " UNSUPPORTED-PARTICLE=" + particle.GetType().Name;
                    int i = 0;
                    if (seq != null)
                    {
                        d["type " + t.Name] += " sequence(min=" + seq.MinOccursString + ",max=" + seq.MaxOccursString + ")";
                        foreach (XmlSchemaObject item in seq.Items)
                        {
                            var me = item as XmlSchemaElement;
                            string key = "type " + t.Name + " member#" + (i++).ToString("D2");
                            if (me == null) { d[key] = "UNSUPPORTED " + item.GetType().Name; continue; }
                            d[key] = me.Name + " type=" + me.SchemaTypeName + " minOccurs=" + (me.MinOccursString ?? "(1)")
                                + " maxOccurs=" + (me.MaxOccursString ?? "(1)") + " nillable=" + me.IsNillable
                                + (me.RefName.IsEmpty ? "" : " ref=" + me.RefName)
                                + (me.DefaultValue != null ? " default=" + me.DefaultValue : "") + (me.FixedValue != null ? " fixed=" + me.FixedValue : "")
                                + Ann(me.Annotation);
                        }
                    }
                }
                else if (o is XmlSchemaSimpleType)
                {
                    var t = (XmlSchemaSimpleType)o;
                    var r = t.Content as XmlSchemaSimpleTypeRestriction;
                    if (r == null) { d["simpleType " + t.Name] = "UNSUPPORTED " + t.Content.GetType().Name; continue; }
                    d["simpleType " + t.Name] = "restriction-of=" + r.BaseTypeName + Ann(t.Annotation);
                    int i = 0;
                    foreach (XmlSchemaObject f in r.Facets)
                    {
                        var en = f as XmlSchemaEnumerationFacet;
                        string key = "simpleType " + t.Name + " facet#" + (i++).ToString("D3");
                        d[key] = en != null ? "enumeration " + en.Value + Ann(en.Annotation) : f.GetType().Name + " " + ((XmlSchemaFacet)f).Value;
                    }
                }
                else if (o is XmlSchemaAttribute)
                {
                    var at = (XmlSchemaAttribute)o;
                    d["attribute " + at.Name] = "type=" + at.SchemaTypeName;
                }
                else d["other " + o.GetType().Name + "@" + o.LineNumber] = "UNSUPPORTED";
            }
        }
        return res;
    }

    static string Ann(XmlSchemaAnnotation a)
    {
        if (a == null) return "";
        var parts = new List<string>();
        foreach (XmlSchemaObject item in a.Items)
        {
            var ai = item as XmlSchemaAppInfo;
            if (ai == null || ai.Markup == null) continue;
            foreach (var n in ai.Markup)
            {
                var el = n as XmlElement;
                if (el == null || el.NamespaceURI != SerNs) continue;
                var attrs = el.Attributes.Cast<XmlAttribute>().Where(x => x.Prefix != "xmlns" && x.Name != "xmlns")
                              .Select(x => x.Name + "=" + x.Value).OrderBy(x => x, StringComparer.Ordinal);
                parts.Add(el.LocalName + "(" + string.Join(",", attrs) + ")" + (el.InnerText.Length > 0 ? "=" + el.InnerText : ""));
            }
        }
        return parts.Count == 0 ? "" : " appinfo[" + string.Join(";", parts) + "]";
    }

    // ------------------------------------------------------------------ DCS read / write, as ASP.NET Web API does
    static readonly XmlWriterSettings WriterSettings = new XmlWriterSettings
    {
        Encoding = new UTF8Encoding(false, true), OmitXmlDeclaration = true, CloseOutput = false, Indent = false
    };

    static object Read(Type t, byte[] xml)
    {
        var dcs = new DataContractSerializer(t);
        using (var ms = new MemoryStream(xml))
        using (var r = XmlDictionaryReader.CreateTextReader(ms, new UTF8Encoding(false, true), XmlDictionaryReaderQuotas.Max, null))
            return dcs.ReadObject(r);
    }

    static byte[] Write(Type t, object value)
    {
        var dcs = new DataContractSerializer(t);
        using (var ms = new MemoryStream())
        {
            using (var w = XmlWriter.Create(ms, WriterSettings)) dcs.WriteObject(w, value);
            return ms.ToArray();
        }
    }

    static readonly Regex InterElementSpace = new Regex(@">\s+<", RegexOptions.Compiled);

    static int Samples(string dll, string fixtures)
    {
        var asm = Assembly.LoadFrom(dll);
        var byName = ByName(asm);
        var lines = File.ReadAllLines(Path.Combine(fixtures, "index.tsv"));
        var head = lines[0].Split('\t');
        int cArea = Array.IndexOf(head, "area"), cRoot = Array.IndexOf(head, "root_element"), cNs = Array.IndexOf(head, "root_namespace"), cXml = Array.IndexOf(head, "xml_file");
        int ok = 0, total = 0;
        var failures = new List<string>();
        foreach (var line in lines.Skip(1))
        {
            if (line.Trim().Length == 0) continue;
            var f = line.Split('\t');
            total++;
            string label = f[cArea] + "." + f[cRoot];
            Type t;
            if (!byName.TryGetValue("{" + f[cNs] + "}" + f[cRoot], out t)) { failures.Add(label + ": no type {" + f[cNs] + "}" + f[cRoot] + " in the imported contracts"); Console.WriteLine("FAIL " + label + ": no type"); continue; }
            var raw = File.ReadAllText(Path.Combine(fixtures, f[cXml]), new UTF8Encoding(false, true));
            string expected = InterElementSpace.Replace(raw.Trim(), "><");
            string got;
            try
            {
                var obj = Read(t, Encoding.UTF8.GetBytes(raw));
                got = Encoding.UTF8.GetString(Write(t, obj));
            }
            catch (Exception e) { failures.Add(label + ": " + e.GetType().Name + ": " + e.Message); Console.WriteLine("FAIL " + label + ": " + e.Message); continue; }
            if (got == expected) { ok++; Console.WriteLine("ok   " + label + " (" + Encoding.UTF8.GetByteCount(got) + " bytes identical)"); continue; }
            int p = 0;
            while (p < got.Length && p < expected.Length && got[p] == expected[p]) p++;
            Func<string, string> ctx = s => s.Substring(Math.Max(0, p - 60), Math.Min(s.Length, p + 80) - Math.Max(0, p - 60));
            var msg = label + ": re-serialization differs at char " + p + "\n      seed: ..." + ctx(expected) + "...\n      dcs:  ..." + ctx(got) + "...";
            failures.Add(msg);
            Console.WriteLine("FAIL " + msg);
        }
        Console.WriteLine("samples: {0}/{1} seed XML samples round-trip byte for byte through DataContractSerializer (TZ={2})",
            ok, total, Environment.GetEnvironmentVariable("TZ") ?? "(unset)");
        return ok == total && total > 0 ? 0 : 1;
    }

    // ------------------------------------------------------------------ serve
    static int Serve(string dll)
    {
        var asm = Assembly.LoadFrom(dll);
        var byName = ByName(asm);
        var stdin = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
        var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        stdout.WriteLine("ready processone-dcs-oracle 1 types=" + ContractTypes(asm).Count + " tz=" + TimeZoneInfo.Local.Id);
        string line;
        while ((line = stdin.ReadLine()) != null)
        {
            line = line.Trim();
            if (line.Length == 0) continue;
            var parts = line.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
            try
            {
                switch (parts[0])
                {
                    case "ping": stdout.WriteLine("pong"); break;
                    case "quit": stdout.WriteLine("bye"); return 0;
                    case "types":
                        stdout.WriteLine("ok " + string.Join(" ", byName.Keys.Where(k => !k.StartsWith("{")).OrderBy(k => k, StringComparer.Ordinal)));
                        break;
                    case "roundtrip":
                        {
                            if (parts.Length != 3) throw new ArgumentException("usage: roundtrip <Type> <base64-xml>");
                            Type t;
                            if (!byName.TryGetValue(parts[1], out t)) throw new ArgumentException("unknown contract type " + parts[1]);
                            var obj = Read(t, Convert.FromBase64String(parts[2]));
                            stdout.WriteLine("ok " + Convert.ToBase64String(Write(t, obj)));
                            break;
                        }
                    default: throw new ArgumentException("unknown command " + parts[0]);
                }
            }
            catch (Exception e)
            {
                var inner = e;
                var msg = new StringBuilder(e.GetType().Name + ": " + e.Message);
                while (inner.InnerException != null) { inner = inner.InnerException; msg.Append(" --> " + inner.GetType().Name + ": " + inner.Message); }
                stdout.WriteLine("error " + Regex.Replace(msg.ToString(), @"[\r\n]+", " "));
            }
        }
        return 0;
    }
}
